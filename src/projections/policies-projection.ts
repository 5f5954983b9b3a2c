import { nameKey } from "../domain/shared/names.js";
import type { Projection } from "./projection.js";
import { upsertTags } from "./tags.js";

/** Customer-managed policies and their versions (AWS-managed rows are seeded, see seed-aws-managed.ts). */
export const policiesProjection: Projection = {
  name: "policies",
  handles: new Set(["PolicyCreated", "PolicyVersionCreated", "PolicyDefaultVersionSet", "PolicyVersionDeleted", "PolicyDeleted", "PolicyTagged", "PolicyUntagged"]),
  async apply(tx, event) {
    const at = event.occurredAt;
    switch (event.type) {
      case "PolicyCreated": {
        const d = event.data;
        await tx.policy.upsert({
          where: { id: d.policyId },
          create: {
            id: d.policyId,
            accountId: event.metadata.accountId,
            policyName: d.policyName,
            policyNameKey: nameKey(d.policyName),
            path: d.path,
            arn: d.arn,
            description: d.description,
            defaultVersionId: d.versionId,
            isAwsManaged: false,
            createdAt: at,
            updatedAt: at,
            streamVersion: event.streamVersion,
          },
          update: {},
        });
        await tx.policyVersion.upsert({
          where: { policyId_versionId: { policyId: d.policyId, versionId: d.versionId } },
          create: { policyId: d.policyId, versionId: d.versionId, document: d.document, isDefault: true, createdAt: at },
          update: {},
        });
        await upsertTags(d.tags, (keyKey, tag) =>
          tx.policyTag.upsert({ where: { policyId_keyKey: { policyId: d.policyId, keyKey } }, create: { policyId: d.policyId, keyKey, ...tag }, update: tag }),
        );
        return;
      }
      case "PolicyVersionCreated": {
        const d = event.data;
        await tx.policyVersion.upsert({
          where: { policyId_versionId: { policyId: d.policyId, versionId: d.versionId } },
          create: { policyId: d.policyId, versionId: d.versionId, document: d.document, isDefault: false, createdAt: at },
          update: {},
        });
        await tx.policy.updateMany({ where: { id: d.policyId }, data: { updatedAt: at, streamVersion: event.streamVersion } });
        return;
      }
      case "PolicyDefaultVersionSet": {
        const d = event.data;
        await tx.policyVersion.updateMany({ where: { policyId: d.policyId }, data: { isDefault: false } });
        await tx.policyVersion.updateMany({ where: { policyId: d.policyId, versionId: d.versionId }, data: { isDefault: true } });
        await tx.policy.updateMany({ where: { id: d.policyId }, data: { defaultVersionId: d.versionId, updatedAt: at, streamVersion: event.streamVersion } });
        return;
      }
      case "PolicyVersionDeleted":
        await tx.policyVersion.deleteMany({ where: { policyId: event.data.policyId, versionId: event.data.versionId } });
        await tx.policy.updateMany({ where: { id: event.data.policyId }, data: { updatedAt: at, streamVersion: event.streamVersion } });
        return;
      case "PolicyDeleted":
        await tx.policy.deleteMany({ where: { id: event.data.policyId } });
        return;
      case "PolicyTagged": {
        const { policyId, tags } = event.data;
        await upsertTags(tags, (keyKey, tag) =>
          tx.policyTag.upsert({ where: { policyId_keyKey: { policyId, keyKey } }, create: { policyId, keyKey, ...tag }, update: tag }),
        );
        return;
      }
      case "PolicyUntagged":
        await tx.policyTag.deleteMany({ where: { policyId: event.data.policyId, keyKey: { in: event.data.tagKeys.map((k) => k.toLowerCase()) } } });
        return;
      default:
        return;
    }
  },
};

import { nameKey } from "../domain/shared/names.js";
import type { Projection } from "./projection.js";
import { upsertTags } from "./tags.js";

export const rolesProjection: Projection = {
  name: "roles",
  handles: new Set(["RoleCreated", "RoleAssumeRolePolicyUpdated", "RoleDeleted"]),
  async apply(tx, event) {
    switch (event.type) {
      case "RoleCreated": {
        const d = event.data;
        await tx.role.upsert({
          where: { id: d.roleId },
          create: {
            id: d.roleId,
            accountId: event.metadata.accountId,
            roleName: d.roleName,
            roleNameKey: nameKey(d.roleName),
            path: d.path,
            arn: d.arn,
            description: d.description,
            maxSessionDuration: d.maxSessionDuration,
            assumeRolePolicyDocument: d.assumeRolePolicyDocument,
            createdAt: event.occurredAt,
            streamVersion: event.streamVersion,
          },
          update: {},
        });
        await upsertTags(d.tags, (keyKey, tag) =>
          tx.roleTag.upsert({
            where: { roleId_keyKey: { roleId: d.roleId, keyKey } },
            create: { roleId: d.roleId, keyKey, ...tag },
            update: tag,
          }),
        );
        return;
      }
      case "RoleAssumeRolePolicyUpdated":
        await tx.role.updateMany({
          where: { id: event.data.roleId },
          data: { assumeRolePolicyDocument: event.data.assumeRolePolicyDocument, streamVersion: event.streamVersion },
        });
        return;
      case "RoleDeleted":
        await tx.role.deleteMany({ where: { id: event.data.roleId } });
        return;
      default:
        return;
    }
  },
};

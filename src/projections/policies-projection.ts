import { nameKey } from "../domain/shared/names.js";
import type { Projection, RowOp } from "./projection.js";
import { deleteTags, upsertTags } from "./tags.js";

/**
 * Managed policies and their versions: customer-managed, and AWS-managed from the catalogue's
 * events (account `aws`, dated by AWS: created_at/updated_at are AWS's dates, not the import's).
 */
export const policiesProjection: Projection = {
  name: "policies",
  tables: ["policies", "policy_versions", "policy_tags"],
  handles: new Set(["PolicyCreated", "PolicyVersionCreated", "PolicyDefaultVersionSet", "PolicyVersionDeleted", "PolicyDeleted", "PolicyTagged", "PolicyUntagged"]),
  apply(e): RowOp[] {
    const at = ("effectiveAt" in e.data && e.data.effectiveAt) || e.occurredAt.toISOString();
    const touched = (id: string): RowOp => ({ op: "update", table: "policies", where: { id }, set: { updated_at: at, stream_version: e.streamVersion } });
    const version = (policyId: string, versionId: string, document: string, isDefault: boolean, createDate = at): RowOp => ({
      op: "insert",
      table: "policy_versions",
      row: { policy_id: policyId, version_id: versionId, document, is_default: isDefault, created_at: createDate },
    });
    switch (e.type) {
      case "PolicyCreated": {
        const d = e.data;
        const row = {
          id: d.policyId,
          account_id: e.metadata.accountId,
          policy_name: d.policyName,
          policy_name_key: nameKey(d.policyName),
          path: d.path,
          arn: d.arn,
          description: d.description,
          default_version_id: d.versionId,
          is_aws_managed: d.awsManaged === true,
          created_at: d.createDate ?? at,
          updated_at: at,
          stream_version: e.streamVersion,
        };
        return [{ op: "insert", table: "policies", row }, version(d.policyId, d.versionId, d.document, true, d.versionCreateDate ?? d.createDate), ...upsertTags("policy_tags", { policy_id: d.policyId }, d.tags)];
      }
      case "PolicyVersionCreated":
        return [version(e.data.policyId, e.data.versionId, e.data.document, false, e.data.createDate), touched(e.data.policyId)];
      case "PolicyDefaultVersionSet": {
        const { policyId, versionId } = e.data;
        return [
          { op: "update", table: "policy_versions", where: { policy_id: policyId }, set: { is_default: false } },
          { op: "update", table: "policy_versions", where: { policy_id: policyId, version_id: versionId }, set: { is_default: true } },
          { op: "update", table: "policies", where: { id: policyId }, set: { default_version_id: versionId, updated_at: at, stream_version: e.streamVersion } },
        ];
      }
      case "PolicyVersionDeleted":
        return [{ op: "delete", table: "policy_versions", where: { policy_id: e.data.policyId, version_id: e.data.versionId } }, touched(e.data.policyId)];
      case "PolicyDeleted": {
        const policy_id = e.data.policyId;
        return [
          { op: "delete", table: "policy_versions", where: { policy_id } },
          { op: "delete", table: "policy_tags", where: { policy_id } },
          { op: "delete", table: "policies", where: { id: policy_id } },
        ];
      }
      case "PolicyTagged":
        return upsertTags("policy_tags", { policy_id: e.data.policyId }, e.data.tags);
      case "PolicyUntagged":
        return deleteTags("policy_tags", { policy_id: e.data.policyId }, e.data.tagKeys);
      default:
        return [];
    }
  },
};

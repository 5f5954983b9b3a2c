import { nameKey } from "../domain/shared/names.js";
import type { Projection, RowOp } from "./projection.js";
import { deleteTags, upsertTags } from "./tags.js";

export const rolesProjection: Projection = {
  name: "roles",
  tables: ["roles", "role_tags"],
  handles: new Set(["RoleCreated", "RoleAssumeRolePolicyUpdated", "RoleTagged", "RoleUntagged", "RoleDeleted"]),
  apply(e): RowOp[] {
    const touch = (id: string): RowOp => ({ op: "update", table: "roles", where: { id }, set: { stream_version: e.streamVersion } });
    switch (e.type) {
      case "RoleCreated": {
        const d = e.data;
        const row = {
          id: d.roleId,
          account_id: e.metadata.accountId,
          role_name: d.roleName,
          role_name_key: nameKey(d.roleName),
          path: d.path,
          arn: d.arn,
          description: d.description,
          max_session_duration: d.maxSessionDuration,
          assume_role_policy_document: d.assumeRolePolicyDocument,
          permissions_boundary_arn: null,
          created_at: e.data.createDate ?? e.occurredAt.toISOString(),
          stream_version: e.streamVersion,
        };
        return [{ op: "insert", table: "roles", row }, ...upsertTags("role_tags", { role_id: d.roleId }, d.tags)];
      }
      case "RoleAssumeRolePolicyUpdated": {
        const set = { assume_role_policy_document: e.data.assumeRolePolicyDocument, stream_version: e.streamVersion };
        return [{ op: "update", table: "roles", where: { id: e.data.roleId }, set }];
      }
      case "RoleTagged":
        return [...upsertTags("role_tags", { role_id: e.data.roleId }, e.data.tags), touch(e.data.roleId)];
      case "RoleUntagged":
        return [...deleteTags("role_tags", { role_id: e.data.roleId }, e.data.tagKeys), touch(e.data.roleId)];
      case "RoleDeleted":
        return [
          { op: "delete", table: "role_tags", where: { role_id: e.data.roleId } },
          { op: "delete", table: "roles", where: { id: e.data.roleId } },
        ];
      default:
        return [];
    }
  },
};

import { permissionsEventTypes } from "../domain/permissions/state.js";
import type { Projection, RowOp, Where } from "./projection.js";

/** Attachments, inline policies and boundaries, as they stand now. */
export const permissionsProjection: Projection = {
  name: "permissions",
  tables: ["policy_attachments", "inline_policies"],
  handles: new Set([...permissionsEventTypes, "UserDeleted", "GroupDeleted", "RoleDeleted"]),
  apply(e): RowOp[] {
    const at = e.occurredAt.toISOString();
    switch (e.type) {
      case "ManagedPolicyAttached": {
        const { entityType, entityId, policyArn } = e.data;
        return [{ op: "insert", table: "policy_attachments", row: { entity_type: entityType, entity_id: entityId, policy_arn: policyArn, attached_at: at } }];
      }
      case "ManagedPolicyDetached": {
        const { entityType, entityId, policyArn } = e.data;
        return [{ op: "delete", table: "policy_attachments", where: { entity_type: entityType, entity_id: entityId, policy_arn: policyArn } }];
      }
      case "InlinePolicyPut": {
        const { entityType, entityId, policyName, document } = e.data;
        return [{ op: "upsert", table: "inline_policies", row: { entity_type: entityType, entity_id: entityId, policy_name: policyName, document, updated_at: at } }];
      }
      case "InlinePolicyDeleted": {
        const { entityType, entityId, policyName } = e.data;
        return [{ op: "delete", table: "inline_policies", where: { entity_type: entityType, entity_id: entityId, policy_name: policyName } }];
      }
      case "PermissionsBoundaryPut":
      case "PermissionsBoundaryDeleted": {
        const { entityType, entityId, policyArn } = e.data;
        const set = { permissions_boundary_arn: e.type === "PermissionsBoundaryPut" ? policyArn : null };
        return [{ op: "update", table: entityType === "user" ? "users" : "roles", where: { id: entityId }, set }];
      }
      case "UserDeleted":
      case "GroupDeleted":
      case "RoleDeleted": {
        // Deciders refuse to delete holders of policies; this only keeps the model clean on replay.
        const where: Where =
          e.type === "UserDeleted"
            ? { entity_type: "user", entity_id: e.data.userId }
            : e.type === "GroupDeleted"
              ? { entity_type: "group", entity_id: e.data.groupId }
              : { entity_type: "role", entity_id: e.data.roleId };
        return [
          { op: "delete", table: "policy_attachments", where },
          { op: "delete", table: "inline_policies", where },
        ];
      }
      default:
        return [];
    }
  },
};

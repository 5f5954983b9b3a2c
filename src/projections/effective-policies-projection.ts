import {
  boundaryPath,
  inlinePath,
  inlineSourceKey,
  managedPath,
  managedSourceKey,
  pathsHeldBy,
  type EffectivePath,
} from "../domain/permissions/effective-paths.js";
import { permissionsEventTypes, type PermissionsHolder } from "../domain/permissions/state.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { Projection, Read, Row, RowOp, Where } from "./projection.js";

/**
 * The effective-permissions projection: one row per (principal, path) — the paths of
 * src/domain/permissions/effective-paths.ts. Updated incrementally from each event, never
 * recomputed from scratch: a policy given to a group reaches its members (read from
 * group_memberships), a user joining a group receives what the group holds (read from
 * policy_attachments and inline_policies). The runner brings those tables up to the same event
 * first (projections run in order, event by event), and every write runs under the single write
 * lock, so the reads are exact.
 */
export const effectivePoliciesProjection: Projection = {
  name: "effective-policies",
  tables: ["effective_policies"],
  handles: new Set([...permissionsEventTypes, "UserAddedToGroup", "UserRemovedFromGroup", "UserDeleted", "RoleDeleted"]),
  reads(e) {
    switch (e.type) {
      case "ManagedPolicyAttached":
      case "InlinePolicyPut":
        return e.data.entityType === "group" ? [membersOf(e.data.entityId)] : [];
      case "UserAddedToGroup": {
        const where = { entity_type: "group", entity_id: e.data.groupId };
        return [
          { table: "policy_attachments", where },
          { table: "inline_policies", where },
        ];
      }
      default:
        return [];
    }
  },
  apply(e, rows): RowOp[] {
    switch (e.type) {
      case "ManagedPolicyAttached":
      case "InlinePolicyPut": {
        const { entityType, entityId } = e.data;
        if (entityType !== "group") {
          const path = e.type === "ManagedPolicyAttached" ? managedPath(entityType, entityId, e.data.policyArn) : inlinePath(entityType, entityId, e.data.policyName);
          return [grant(e, entityType, entityId, path)];
        }
        return (rows[0] ?? []).map((m) => {
          const path = e.type === "ManagedPolicyAttached" ? managedPath("group", entityId, e.data.policyArn, entityId) : inlinePath("group", entityId, e.data.policyName, entityId);
          return grant(e, "user", String(m.user_id), path);
        });
      }
      case "ManagedPolicyDetached":
      case "InlinePolicyDeleted": {
        const { entityType, entityId } = e.data;
        const source_key = e.type === "ManagedPolicyDetached" ? managedSourceKey(e.data.policyArn) : inlineSourceKey(entityType, entityId, e.data.policyName);
        const where: Where = entityType === "group" ? { source_key, via_group_id: entityId } : { principal_id: entityId, source_key, via_group_id: "" };
        return [{ op: "delete", table: "effective_policies", where }];
      }
      case "PermissionsBoundaryPut": {
        const { entityType, entityId, policyArn } = e.data;
        return [dropBoundary(entityId), grant(e, entityType, entityId, boundaryPath(entityType, entityId, policyArn))];
      }
      case "PermissionsBoundaryDeleted":
        return [dropBoundary(e.data.entityId)];
      case "UserAddedToGroup": {
        const { userId, groupId } = e.data;
        const held = { type: "group" as const, id: groupId, attachedArns: (rows[0] ?? []).map((a) => String(a.policy_arn)), inlineNames: (rows[1] ?? []).map((i) => String(i.policy_name)) };
        return pathsHeldBy(held, groupId).map((path) => grant(e, "user", userId, path));
      }
      case "UserRemovedFromGroup":
        return [{ op: "delete", table: "effective_policies", where: { principal_id: e.data.userId, via_group_id: e.data.groupId } }];
      case "UserDeleted":
        return [{ op: "delete", table: "effective_policies", where: { principal_id: e.data.userId } }];
      case "RoleDeleted":
        return [{ op: "delete", table: "effective_policies", where: { principal_id: e.data.roleId } }];
      default:
        return [];
    }
  },
};

const membersOf = (groupId: string): Read => ({ table: "group_memberships", where: { group_id: groupId } });

const dropBoundary = (principalId: string): RowOp => ({ op: "delete", table: "effective_policies", where: { principal_id: principalId, kind: "boundary" } });

/** The path reaches the principal from this event on; a path it already has keeps its `since`. */
function grant(e: StoredEvent, principalType: PermissionsHolder, principalId: string, path: EffectivePath): RowOp {
  const row: Row = {
    principal_type: principalType,
    principal_id: principalId,
    source_key: path.sourceKey,
    via_group_id: path.viaGroupId,
    kind: path.kind,
    policy_arn: path.policyArn,
    policy_name: path.policyName,
    owner_type: path.ownerType,
    owner_id: path.ownerId,
    since: e.occurredAt.toISOString(),
    since_position: e.position,
  };
  return { op: "insert", table: "effective_policies", row };
}

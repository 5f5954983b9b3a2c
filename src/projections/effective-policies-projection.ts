import type { StoredEvent } from "../eventstore/stored-event.js";
import { permissionsEventTypes } from "../domain/permissions/state.js";
import type { Projection, Tx } from "./projection.js";

/**
 * The effective-permissions projection: one row per (principal, policy, path). A user holds its
 * own attached and inline policies and, through each group it is in, the group's; a role its own;
 * both may have a boundary. Updated incrementally from each event — never recomputed from
 * scratch — and safe under concurrency because every write runs under the single write lock
 * (eventstore/write-lock.ts). It reads the memberships, attachments and inline tables, which the
 * runner brings up to the same event first (projections run in order, event by event).
 */
export const effectivePoliciesProjection: Projection = {
  name: "effective-policies",
  handles: new Set([
    ...permissionsEventTypes,
    "UserAddedToGroup",
    "UserRemovedFromGroup",
    "UserDeleted",
    "RoleDeleted",
  ]),
  async apply(tx, event) {
    switch (event.type) {
      case "ManagedPolicyAttached":
      case "InlinePolicyPut": {
        const { entityType, entityId } = event.data;
        const source =
          event.type === "ManagedPolicyAttached"
            ? { kind: "managed", key: `managed:${event.data.policyArn}`, arn: event.data.policyArn, name: event.data.policyName }
            : { kind: "inline", key: `inline:${entityType}:${entityId}:${event.data.policyName}`, arn: null, name: event.data.policyName };
        await grant(tx, event, source, entityType, entityId);
        return;
      }
      case "ManagedPolicyDetached":
      case "InlinePolicyDeleted": {
        const { entityType, entityId } = event.data;
        const key =
          event.type === "ManagedPolicyDetached" ? `managed:${event.data.policyArn}` : `inline:${entityType}:${entityId}:${event.data.policyName}`;
        if (entityType === "group") {
          await tx.effectivePolicy.deleteMany({ where: { sourceKey: key, viaGroupId: entityId } });
        } else {
          await tx.effectivePolicy.deleteMany({ where: { principalId: entityId, sourceKey: key, viaGroupId: "" } });
        }
        return;
      }
      case "PermissionsBoundaryPut": {
        const { entityType, entityId, policyArn } = event.data;
        await tx.effectivePolicy.deleteMany({ where: { principalId: entityId, kind: "boundary" } });
        const name = policyArn.slice(policyArn.lastIndexOf("/") + 1);
        await grant(tx, event, { kind: "boundary", key: `boundary:${policyArn}`, arn: policyArn, name }, entityType, entityId);
        return;
      }
      case "PermissionsBoundaryDeleted":
        await tx.effectivePolicy.deleteMany({ where: { principalId: event.data.entityId, kind: "boundary" } });
        return;
      case "UserAddedToGroup": {
        const { userId, groupId } = event.data;
        // Everything the group holds now reaches the user through it.
        await tx.$executeRawUnsafe(
          `INSERT INTO effective_policies (principal_type, principal_id, source_key, via_group_id, kind, policy_arn, policy_name, owner_type, owner_id, since, since_position)
           SELECT 'user', $1, 'managed:' || a.policy_arn, $2, 'managed', a.policy_arn, coalesce(p.policy_name, a.policy_arn), 'group', $2, $3::timestamptz, $4::bigint
             FROM policy_attachments a LEFT JOIN policies p ON p.arn = a.policy_arn
            WHERE a.entity_type = 'group' AND a.entity_id = $2
           UNION ALL
           SELECT 'user', $1, 'inline:group:' || $2 || ':' || i.policy_name, $2, 'inline', NULL, i.policy_name, 'group', $2, $3::timestamptz, $4::bigint
             FROM inline_policies i
            WHERE i.entity_type = 'group' AND i.entity_id = $2
           ON CONFLICT DO NOTHING`,
          userId,
          groupId,
          event.occurredAt.toISOString(),
          event.position,
        );
        return;
      }
      case "UserRemovedFromGroup":
        await tx.effectivePolicy.deleteMany({ where: { principalId: event.data.userId, viaGroupId: event.data.groupId } });
        return;
      case "UserDeleted":
        await tx.effectivePolicy.deleteMany({ where: { principalId: event.data.userId } });
        return;
      case "RoleDeleted":
        await tx.effectivePolicy.deleteMany({ where: { principalId: event.data.roleId } });
        return;
      default:
        return;
    }
  },
};

export interface EffectiveSource {
  readonly kind: string;
  readonly key: string;
  readonly arn: string | null;
  readonly name: string;
}

/**
 * Grants a source to its holder: directly for a user or role, or to every member of a group
 * (through that group).
 */
async function grant(tx: Tx, event: StoredEvent, source: EffectiveSource, ownerType: string, ownerId: string): Promise<void> {
  const principals =
    ownerType === "group"
      ? `SELECT 'user'::text, user_id, $2::text FROM group_memberships WHERE group_id = $2`
      : `SELECT $1::text, $2::text, ''::text`;
  await tx.$executeRawUnsafe(
    `INSERT INTO effective_policies (principal_type, principal_id, via_group_id, source_key, kind, policy_arn, policy_name, owner_type, owner_id, since, since_position)
     SELECT pt, pid, via, $3, $4, $5, $6, $1, $2, $7::timestamptz, $8::bigint
       FROM (${principals}) AS principals(pt, pid, via)
     ON CONFLICT DO NOTHING`,
    ownerType,
    ownerId,
    source.key,
    source.kind,
    source.arn,
    source.name,
    event.occurredAt.toISOString(),
    event.position,
  );
}

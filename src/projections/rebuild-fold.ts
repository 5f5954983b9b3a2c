import { nameKey } from "../domain/shared/names.js";
import type { Tag } from "../domain/shared/tags.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { ReadModel, Row, TableName } from "./rebuild-model.js";
import type { EffectiveSource } from "./effective-policies-projection.js";

/**
 * In-memory folds of the built-in projections, for rebuilds: the same rows the projections'
 * `apply` writes one statement at a time, computed in memory and written in bulk (rebuild.ts).
 * Each fold mirrors its projection line by line — upserts that leave existing rows alone,
 * updates that do nothing when the row is missing, the foreign keys' ON DELETE CASCADE — and the
 * rebuild tests compare the result with the incrementally maintained tables on random histories.
 * A change to a projection needs the same change here (the tests fail until it is made).
 */
export interface Fold {
  /** The projection (runner.ts) whose tables this fold rebuilds. */
  readonly projection: string;
  /** Its tables, parents first. */
  readonly tables: readonly TableName[];
  apply(m: ReadModel, e: StoredEvent): void;
}

const at = (e: StoredEvent) => e.occurredAt.toISOString();

function upsertTags(table: ReadModel["user_tags"], owner: Row, tags: readonly Tag[]): void {
  for (const tag of tags) table.put({ ...owner, key_key: tag.key.toLowerCase(), key: tag.key, value: tag.value });
}

function deleteTags(table: ReadModel["user_tags"], owner: Row, keys: readonly string[]): void {
  for (const k of keys) table.delete({ ...owner, key_key: k.toLowerCase() });
}

const users: Fold = {
  projection: "users",
  tables: ["users", "user_tags", "group_memberships"],
  apply(m, e) {
    const touch = (id: string) => m.users.update({ id }, { stream_version: e.streamVersion });
    switch (e.type) {
      case "UserCreated": {
        const d = e.data;
        m.users.insertIfAbsent({
          id: d.userId,
          account_id: e.metadata.accountId,
          user_name: d.userName,
          user_name_key: nameKey(d.userName),
          path: d.path,
          arn: d.arn,
          created_at: at(e),
          stream_version: e.streamVersion,
          permissions_boundary_arn: null,
        });
        upsertTags(m.user_tags, { user_id: d.userId }, d.tags);
        return;
      }
      case "UserUpdated": {
        const d = e.data;
        m.users.update({ id: d.userId }, { user_name: d.newUserName, user_name_key: nameKey(d.newUserName), path: d.newPath, arn: d.newArn, stream_version: e.streamVersion });
        return;
      }
      case "UserDeleted":
        m.users.delete({ id: e.data.userId });
        m.user_tags.deleteWhere("user", e.data.userId); // ON DELETE CASCADE
        m.group_memberships.deleteWhere("user", e.data.userId);
        m.access_keys.deleteWhere("user", e.data.userId);
        return;
      case "UserTagged":
        upsertTags(m.user_tags, { user_id: e.data.userId }, e.data.tags);
        touch(e.data.userId);
        return;
      case "UserUntagged":
        deleteTags(m.user_tags, { user_id: e.data.userId }, e.data.tagKeys);
        touch(e.data.userId);
        return;
      case "UserAddedToGroup":
        m.group_memberships.insertIfAbsent({ user_id: e.data.userId, group_id: e.data.groupId, added_at: at(e) });
        touch(e.data.userId);
        return;
      case "UserRemovedFromGroup":
        m.group_memberships.delete({ user_id: e.data.userId, group_id: e.data.groupId });
        touch(e.data.userId);
        return;
      default:
        return;
    }
  },
};

const groups: Fold = {
  projection: "groups",
  tables: ["groups"],
  apply(m, e) {
    switch (e.type) {
      case "GroupCreated": {
        const d = e.data;
        m.groups.insertIfAbsent({
          id: d.groupId,
          account_id: e.metadata.accountId,
          group_name: d.groupName,
          group_name_key: nameKey(d.groupName),
          path: d.path,
          arn: d.arn,
          created_at: at(e),
          stream_version: e.streamVersion,
        });
        return;
      }
      case "GroupUpdated": {
        const d = e.data;
        m.groups.update({ id: d.groupId }, { group_name: d.newGroupName, group_name_key: nameKey(d.newGroupName), path: d.newPath, arn: d.newArn, stream_version: e.streamVersion });
        return;
      }
      case "GroupDeleted":
        m.groups.delete({ id: e.data.groupId });
        m.group_memberships.deleteWhere("group", e.data.groupId); // ON DELETE CASCADE
        return;
      default:
        return;
    }
  },
};

const roles: Fold = {
  projection: "roles",
  tables: ["roles", "role_tags"],
  apply(m, e) {
    switch (e.type) {
      case "RoleCreated": {
        const d = e.data;
        m.roles.insertIfAbsent({
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
          created_at: at(e),
          stream_version: e.streamVersion,
        });
        upsertTags(m.role_tags, { role_id: d.roleId }, d.tags);
        return;
      }
      case "RoleAssumeRolePolicyUpdated":
        m.roles.update({ id: e.data.roleId }, { assume_role_policy_document: e.data.assumeRolePolicyDocument, stream_version: e.streamVersion });
        return;
      case "RoleDeleted":
        m.roles.delete({ id: e.data.roleId });
        m.role_tags.deleteWhere("role", e.data.roleId);
        return;
      default:
        return;
    }
  },
};

const policies: Fold = {
  projection: "policies",
  tables: ["policies", "policy_versions", "policy_tags"],
  apply(m, e) {
    const touched = (policyId: string) => m.policies.update({ id: policyId }, { updated_at: at(e), stream_version: e.streamVersion });
    switch (e.type) {
      case "PolicyCreated": {
        const d = e.data;
        m.policies.insertIfAbsent({
          id: d.policyId,
          account_id: e.metadata.accountId,
          policy_name: d.policyName,
          policy_name_key: nameKey(d.policyName),
          path: d.path,
          arn: d.arn,
          description: d.description,
          default_version_id: d.versionId,
          is_aws_managed: false,
          created_at: at(e),
          updated_at: at(e),
          stream_version: e.streamVersion,
        });
        m.policy_versions.insertIfAbsent({ policy_id: d.policyId, version_id: d.versionId, document: d.document, is_default: true, created_at: at(e) });
        upsertTags(m.policy_tags, { policy_id: d.policyId }, d.tags);
        return;
      }
      case "PolicyVersionCreated": {
        const d = e.data;
        m.policy_versions.insertIfAbsent({ policy_id: d.policyId, version_id: d.versionId, document: d.document, is_default: false, created_at: at(e) });
        touched(d.policyId);
        return;
      }
      case "PolicyDefaultVersionSet": {
        const d = e.data;
        for (const v of m.policy_versions.find("policy", d.policyId)) m.policy_versions.put({ ...v, is_default: v.version_id === d.versionId });
        m.policies.update({ id: d.policyId }, { default_version_id: d.versionId, updated_at: at(e), stream_version: e.streamVersion });
        return;
      }
      case "PolicyVersionDeleted":
        m.policy_versions.delete({ policy_id: e.data.policyId, version_id: e.data.versionId });
        touched(e.data.policyId);
        return;
      case "PolicyDeleted":
        m.policies.delete({ id: e.data.policyId });
        m.policy_versions.deleteWhere("policy", e.data.policyId);
        m.policy_tags.deleteWhere("policy", e.data.policyId);
        return;
      case "PolicyTagged":
        upsertTags(m.policy_tags, { policy_id: e.data.policyId }, e.data.tags);
        return;
      case "PolicyUntagged":
        deleteTags(m.policy_tags, { policy_id: e.data.policyId }, e.data.tagKeys);
        return;
      default:
        return;
    }
  },
};

const permissions: Fold = {
  projection: "permissions",
  tables: ["policy_attachments", "inline_policies"],
  apply(m, e) {
    switch (e.type) {
      case "ManagedPolicyAttached": {
        const { entityType, entityId, policyArn } = e.data;
        m.policy_attachments.insertIfAbsent({ entity_type: entityType, entity_id: entityId, policy_arn: policyArn, attached_at: at(e) });
        return;
      }
      case "ManagedPolicyDetached":
        m.policy_attachments.delete({ entity_type: e.data.entityType, entity_id: e.data.entityId, policy_arn: e.data.policyArn });
        return;
      case "InlinePolicyPut": {
        const { entityType, entityId, policyName, document } = e.data;
        m.inline_policies.put({ entity_type: entityType, entity_id: entityId, policy_name: policyName, document, updated_at: at(e) });
        return;
      }
      case "InlinePolicyDeleted":
        m.inline_policies.delete({ entity_type: e.data.entityType, entity_id: e.data.entityId, policy_name: e.data.policyName });
        return;
      case "PermissionsBoundaryPut":
      case "PermissionsBoundaryDeleted": {
        const { entityType, entityId, policyArn } = e.data;
        const boundary = { permissions_boundary_arn: e.type === "PermissionsBoundaryPut" ? policyArn : null };
        (entityType === "user" ? m.users : m.roles).update({ id: entityId }, boundary);
        return;
      }
      case "UserDeleted":
      case "GroupDeleted":
      case "RoleDeleted": {
        const owner = e.type === "UserDeleted" ? `user:${e.data.userId}` : e.type === "GroupDeleted" ? `group:${e.data.groupId}` : `role:${e.data.roleId}`;
        m.policy_attachments.deleteWhere("entity", owner);
        m.inline_policies.deleteWhere("entity", owner);
        return;
      }
      default:
        return;
    }
  },
};

/** effective-policies-projection.ts `grant`: directly to a user or role, or to every member of a group. */
function grant(m: ReadModel, e: StoredEvent, source: EffectiveSource, ownerType: string, ownerId: string): void {
  const principals =
    ownerType === "group"
      ? m.group_memberships.find("group", ownerId).map((r) => ["user", String(r.user_id), ownerId] as const)
      : [[ownerType, ownerId, ""] as const];
  for (const [principalType, principalId, via] of principals) {
    m.effective_policies.insertIfAbsent({
      principal_type: principalType,
      principal_id: principalId,
      source_key: source.key,
      via_group_id: via,
      kind: source.kind,
      policy_arn: source.arn,
      policy_name: source.name,
      owner_type: ownerType,
      owner_id: ownerId,
      since: at(e),
      since_position: e.position,
    });
  }
}

const effectivePolicies: Fold = {
  projection: "effective-policies",
  tables: ["effective_policies"],
  apply(m, e) {
    const ep = m.effective_policies;
    switch (e.type) {
      case "ManagedPolicyAttached":
        grant(m, e, { kind: "managed", key: `managed:${e.data.policyArn}`, arn: e.data.policyArn, name: e.data.policyName }, e.data.entityType, e.data.entityId);
        return;
      case "InlinePolicyPut": {
        const { entityType, entityId, policyName } = e.data;
        grant(m, e, { kind: "inline", key: `inline:${entityType}:${entityId}:${policyName}`, arn: null, name: policyName }, entityType, entityId);
        return;
      }
      case "ManagedPolicyDetached":
      case "InlinePolicyDeleted": {
        const { entityType, entityId } = e.data;
        const key = e.type === "ManagedPolicyDetached" ? `managed:${e.data.policyArn}` : `inline:${entityType}:${entityId}:${e.data.policyName}`;
        if (entityType === "group") ep.deleteWhere("via", entityId, (r) => r.source_key === key);
        else ep.deleteWhere("principal", entityId, (r) => r.source_key === key && r.via_group_id === "");
        return;
      }
      case "PermissionsBoundaryPut": {
        const { entityType, entityId, policyArn } = e.data;
        ep.deleteWhere("principal", entityId, (r) => r.kind === "boundary");
        const name = policyArn.slice(policyArn.lastIndexOf("/") + 1);
        grant(m, e, { kind: "boundary", key: `boundary:${policyArn}`, arn: policyArn, name }, entityType, entityId);
        return;
      }
      case "PermissionsBoundaryDeleted":
        ep.deleteWhere("principal", e.data.entityId, (r) => r.kind === "boundary");
        return;
      case "UserAddedToGroup": {
        const { userId, groupId } = e.data;
        const through = { principal_type: "user", principal_id: userId, via_group_id: groupId, owner_type: "group", owner_id: groupId, since: at(e), since_position: e.position };
        for (const a of m.policy_attachments.find("entity", `group:${groupId}`)) {
          const arn = String(a.policy_arn);
          const name = m.policies.find("arn", arn)[0]?.policy_name ?? arn;
          ep.insertIfAbsent({ ...through, source_key: `managed:${arn}`, kind: "managed", policy_arn: arn, policy_name: name });
        }
        for (const i of m.inline_policies.find("entity", `group:${groupId}`)) {
          ep.insertIfAbsent({ ...through, source_key: `inline:group:${groupId}:${String(i.policy_name)}`, kind: "inline", policy_arn: null, policy_name: i.policy_name });
        }
        return;
      }
      case "UserRemovedFromGroup":
        ep.deleteWhere("principal", e.data.userId, (r) => r.via_group_id === e.data.groupId);
        return;
      case "UserDeleted":
        ep.deleteWhere("principal", e.data.userId);
        return;
      case "RoleDeleted":
        ep.deleteWhere("principal", e.data.roleId);
        return;
      default:
        return;
    }
  },
};

const accessKeys: Fold = {
  projection: "access_keys",
  tables: ["access_keys"],
  apply(m, e) {
    // The events are in the user's stream; the user row's version follows them (access-keys-projection.ts).
    const touch = (id: string) => m.users.update({ id }, { stream_version: e.streamVersion });
    switch (e.type) {
      case "AccessKeyCreated": {
        const d = e.data;
        m.access_keys.insertIfAbsent({ access_key_id: d.accessKeyId, account_id: e.metadata.accountId, user_id: d.userId, status: d.status, created_at: at(e) });
        touch(d.userId);
        return;
      }
      case "AccessKeyStatusChanged":
        m.access_keys.update({ access_key_id: e.data.accessKeyId }, { status: e.data.status });
        touch(e.data.userId);
        return;
      case "AccessKeyDeleted":
        m.access_keys.delete({ access_key_id: e.data.accessKeyId });
        touch(e.data.userId);
        return;
      default:
        return;
    }
  },
};

/** One fold per built-in projection, in runner.ts order (effective-policies reads the others). */
export const folds: readonly Fold[] = [users, groups, roles, policies, permissions, effectivePolicies, accessKeys];

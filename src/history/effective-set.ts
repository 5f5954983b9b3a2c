import type { Principal } from "../authz/principal.js";
import { parseCached } from "../authz/policies-in-effect.js";
import { groupStreamId } from "../domain/shared/stream-ids.js";
import { effectivePaths, managedSourceKey } from "../domain/permissions/effective-paths.js";
import type { PermissionsHolder, PermissionsState } from "../domain/permissions/state.js";
import type { PolicyInEffect, PolicySource } from "../policy/document.js";
import { findAwsManagedPolicy } from "../policy/aws-managed-policies.js";
import type { World } from "./world.js";

/**
 * One policy in a principal's effective set at some point, with a key that names the path it
 * arrives by (so two points can be compared) and the text in effect (so a moved default version
 * shows as a change of the same path).
 */
export interface EffectiveEntry extends PolicyInEffect {
  /** `identity|boundary` + holder + policy: stable while the path exists. */
  readonly key: string;
  /** The document text in effect through this path. */
  readonly text: string;
}

export interface EffectiveSet {
  readonly principal: Principal;
  readonly entries: readonly EffectiveEntry[];
}

/**
 * The document text of a managed policy in the world at its default version: customer-managed,
 * and AWS-managed from the log (full catalogue), else from the build (builtin catalogue).
 */
export function managedPolicyText(world: World, arn: string): { text: string; versionId: string; policyName: string } | undefined {
  const streamId = world.policyStreamByArn.get(arn);
  const state = streamId ? world.policies.get(streamId) : undefined;
  if (state === undefined) {
    if (world.awsPolicyArns?.has(arn)) return undefined; // before its first AWS version
    const aws = findAwsManagedPolicy(arn);
    return aws ? { text: aws.document, versionId: aws.versionId, policyName: aws.name } : undefined;
  }
  if (state.status !== "active") return undefined;
  const version = state.versions.find((v) => v.versionId === state.defaultVersionId);
  return version ? { text: version.document, versionId: version.versionId, policyName: state.policyName } : undefined;
}

type Holder = PolicySource["attachedTo"];

/**
 * The principal (a user or role stream) and its policies in effect in the world, with the same
 * provenance `src/authz/policies-in-effect.ts` gives from the projection: attached and inline
 * policies of the principal, of each of a user's groups (`viaGroup`), and the boundary.
 * Undefined when the principal does not exist (yet, or any more) in the world.
 */
export function effectiveSetOf(world: World, principalStreamId: string, accountId: string): EffectiveSet | undefined {
  const entries: EffectiveEntry[] = [];
  const user = world.users.get(principalStreamId);
  const role = world.roles.get(principalStreamId);
  let principal: Principal;
  let permissions: PermissionsState;
  if (user?.status === "active") {
    principal = { type: "user", id: user.userId, name: user.userName, arn: user.arn, accountId, tags: user.tags, boundaryArn: user.permissions.boundaryArn ?? null };
    permissions = user.permissions;
  } else if (role?.status === "active") {
    principal = { type: "role", id: role.roleId, name: role.roleName, arn: role.arn, accountId, tags: role.tags, boundaryArn: role.permissions.boundaryArn ?? null };
    permissions = role.permissions;
  } else {
    return undefined;
  }
  // Which paths exist is the effective-policies rules (effective-paths.ts); here each one gets
  // its holder's provenance and the document text in effect at this point.
  const self: Holder = { type: principal.type, name: principal.name, arn: principal.arn };
  const groups = new Map<string, { holder: Holder; permissions: PermissionsState }>();
  if (user?.status === "active") {
    for (const membership of user.groups) {
      const group = world.groups.get(groupStreamId(membership.groupId));
      if (group?.status === "active") groups.set(group.groupId, { holder: { type: "group", name: group.groupName, arn: group.arn }, permissions: group.permissions });
    }
  }
  const held = (type: PermissionsHolder, id: string, p: PermissionsState) => ({ type, id, attachedArns: p.attached.map((a) => a.policyArn), inlineNames: p.inline.keys() });
  const paths = effectivePaths(
    { ...held(principal.type, principal.id, permissions), boundaryArn: permissions.boundaryArn },
    [...groups].map(([id, g]) => held("group", id, g.permissions)),
  );
  for (const path of paths) {
    const group = path.viaGroupId ? groups.get(path.viaGroupId)! : undefined;
    const holder = group?.holder ?? self;
    const via = group ? { viaGroup: { name: group.holder.name, arn: group.holder.arn } } : {};
    if (path.kind === "inline") {
      const text = (group?.permissions ?? permissions).inline.get(path.policyName)!;
      push(entries, `identity|${holder.type}:${holder.arn}|inline:${path.policyName}`, { kind: "inline", policyName: path.policyName, attachedTo: holder, ...via, role: "identity" }, text);
      continue;
    }
    const arn = path.policyArn!;
    const managed = managedPolicyText(world, arn);
    if (!managed) continue; // a policy deleted while attached cannot happen (DeleteConflict); nothing to evaluate if it did
    const role = path.kind === "boundary" ? "boundary" : "identity";
    const source: PolicySource = { kind: "managed", policyArn: arn, policyName: managed.policyName, versionId: managed.versionId, attachedTo: holder, ...via, role };
    push(entries, role === "boundary" ? `boundary|${arn}` : `identity|${holder.type}:${holder.arn}|${managedSourceKey(arn)}`, source, managed.text);
  }
  return { principal, entries };
}

function push(entries: EffectiveEntry[], key: string, source: PolicySource, text: string): void {
  const document = parseCached(text);
  if (document) entries.push({ key, source, document, text });
}

export function identityPolicies(set: EffectiveSet): PolicyInEffect[] {
  return set.entries.filter((e) => e.source.role === "identity");
}

/** undefined when the principal has no boundary (then the boundary does not limit). */
export function boundaryPolicies(set: EffectiveSet): PolicyInEffect[] | undefined {
  const boundary = set.entries.filter((e) => e.source.role === "boundary");
  return boundary.length > 0 ? boundary : undefined;
}

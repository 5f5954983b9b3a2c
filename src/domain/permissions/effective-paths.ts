import type { PermissionsHolder } from "./state.js";

/**
 * The effective-policies rules (IAM-REFERENCE "Evaluation" 2), in one place: a user holds its own
 * attached and inline policies and, through each group it is in, the group's; a role its own;
 * users and roles may have a boundary. Each policy reaches a principal by a *path*, named by its
 * source key and the group it comes through ("" = held directly). The effective-policies
 * projection writes one row per path, the live fan-out and the permission replay compare sets
 * of paths, and the history fold walks the same paths to find the documents in effect.
 */

/** A managed policy, whoever holds it: the same policy through two groups is two paths with this key. */
export const managedSourceKey = (policyArn: string) => `managed:${policyArn}`;
/** An inline policy belongs to its holder: the key names the holder. */
export const inlineSourceKey = (ownerType: string, ownerId: string, policyName: string) => `inline:${ownerType}:${ownerId}:${policyName}`;
export const boundarySourceKey = (policyArn: string) => `boundary:${policyArn}`;

/** A path's identity within one principal's set. */
export const pathKey = (sourceKey: string, viaGroupId: string) => `${sourceKey}|${viaGroupId}`;

/** A policy ARN ends with the policy's name (`arn:aws:iam::<account>:policy<path><name>`). */
export const policyNameOfArn = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

export interface EffectivePath {
  readonly kind: "managed" | "inline" | "boundary";
  readonly sourceKey: string;
  /** The group the path comes through; "" when the principal holds the policy itself. */
  readonly viaGroupId: string;
  readonly policyArn: string | null;
  readonly policyName: string;
  /** Who holds the policy: the principal, or the group. */
  readonly ownerType: PermissionsHolder;
  readonly ownerId: string;
}

export function managedPath(ownerType: PermissionsHolder, ownerId: string, policyArn: string, viaGroupId = ""): EffectivePath {
  return { kind: "managed", sourceKey: managedSourceKey(policyArn), viaGroupId, policyArn, policyName: policyNameOfArn(policyArn), ownerType, ownerId };
}

export function inlinePath(ownerType: PermissionsHolder, ownerId: string, policyName: string, viaGroupId = ""): EffectivePath {
  return { kind: "inline", sourceKey: inlineSourceKey(ownerType, ownerId, policyName), viaGroupId, policyArn: null, policyName, ownerType, ownerId };
}

export function boundaryPath(ownerType: PermissionsHolder, ownerId: string, policyArn: string): EffectivePath {
  return { kind: "boundary", sourceKey: boundarySourceKey(policyArn), viaGroupId: "", policyArn, policyName: policyNameOfArn(policyArn), ownerType, ownerId };
}

/** What a holder's policies give a principal: its own (via "") or a group's (via the group). */
export interface HeldPolicies {
  readonly type: PermissionsHolder;
  readonly id: string;
  readonly attachedArns: Iterable<string>;
  readonly inlineNames: Iterable<string>;
}

export function pathsHeldBy(holder: HeldPolicies, viaGroupId = ""): EffectivePath[] {
  const out: EffectivePath[] = [];
  for (const arn of holder.attachedArns) out.push(managedPath(holder.type, holder.id, arn, viaGroupId));
  for (const name of holder.inlineNames) out.push(inlinePath(holder.type, holder.id, name, viaGroupId));
  return out;
}

/**
 * A principal's whole effective set: its own policies, each of its groups' (a user's; a role has
 * none), and its boundary.
 */
export function effectivePaths(principal: HeldPolicies & { readonly boundaryArn?: string | null }, groups: readonly HeldPolicies[] = []): EffectivePath[] {
  const out = pathsHeldBy(principal);
  for (const group of groups) out.push(...pathsHeldBy(group, group.id));
  if (principal.boundaryArn) out.push(boundaryPath(principal.type, principal.id, principal.boundaryArn));
  return out;
}

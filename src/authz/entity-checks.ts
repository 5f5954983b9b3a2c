import type { ContextEntry } from "../policy/request.js";
import { boundaryContext, pathlessArn, resourceTagContext, type AuthorizationCheck, type EntityFacts } from "./authorization-check.js";
import type { ResourceLookup } from "./resource-lookup.js";

export type EntityKind = "user" | "group" | "role";

/**
 * Actions on users and roles for which AWS fills iam:PermissionsBoundary with the target's
 * current boundary (Service Authorization Reference: "Filters access if the specified policy is
 * set as permissions boundary on the IAM entity"). Put…PermissionsBoundary fills it with the
 * requested boundary instead (command-authorization.ts).
 */
const withCurrentBoundary = new Set([
  "iam:AttachUserPolicy",
  "iam:DetachUserPolicy",
  "iam:PutUserPolicy",
  "iam:DeleteUserPolicy",
  "iam:DeleteUserPermissionsBoundary",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRole",
  "iam:GetRole",
  "iam:UpdateAssumeRolePolicy",
]);

export function entityFacts(lookup: ResourceLookup, kind: EntityKind, name: string): Promise<EntityFacts | undefined> {
  return kind === "user" ? lookup.user(name) : kind === "group" ? lookup.group(name) : lookup.role(name);
}

/**
 * A check on a user, group or role named in a request: on its real ARN (with its path) when it
 * exists, else on its path-less ARN — authorized before anything says it does not exist, so a
 * denied caller cannot probe names. Users and roles carry their tags as aws:ResourceTag/….
 */
export async function entityCheck(
  lookup: ResourceLookup,
  accountId: string,
  kind: EntityKind,
  name: string,
  action: string,
  context: readonly ContextEntry[] = [],
): Promise<AuthorizationCheck> {
  const target = await entityFacts(lookup, kind, name);
  const resource = target?.arn ?? pathlessArn(accountId, kind, name);
  const tags = target && kind !== "group" ? resourceTagContext(target.tags, true) : [];
  const boundary = withCurrentBoundary.has(action) ? boundaryContext(target?.boundaryArn) : [];
  return { action, resource, context: [...tags, ...boundary, ...context] };
}

/** A check on a managed policy: on the ARN as given (it is the policy's identity), with its tags. */
export async function policyCheck(lookup: ResourceLookup, policyArn: string, action: string, context: readonly ContextEntry[] = []): Promise<AuthorizationCheck> {
  const tags = (await lookup.policyTags(policyArn)) ?? [];
  return { action, resource: policyArn, context: [...resourceTagContext(tags, false), ...context] };
}

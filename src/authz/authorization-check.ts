import { entityArn } from "../domain/shared/arn.js";
import type { Tag } from "../domain/shared/tags.js";
import type { ContextEntry } from "../policy/request.js";

/**
 * One question the guard asks the policy engine for an operation: may the caller do `action` on
 * `resource`, with these request-specific condition keys. The caller's own keys (aws:username,
 * aws:PrincipalTag/…) come from the authorizer; the transport's (aws:SourceIp…) from the request.
 */
export interface AuthorizationCheck {
  readonly action: string;
  readonly resource: string;
  readonly context?: readonly ContextEntry[];
}

/** Every check of an operation must allow it; the first denied one is reported. */
export type AuthorizationChecks = readonly AuthorizationCheck[];

/**
 * A user, group or role named in a request, as far as authorization cares. An entity that does
 * not exist is still authorized — against its path-less ARN — before anything says so: AWS
 * authorizes first, so a denied caller cannot learn whether a name is taken.
 */
export interface EntityFacts {
  readonly arn: string;
  readonly path: string;
  readonly tags: readonly Tag[];
  readonly boundaryArn: string | null;
}

export const pathlessArn = (accountId: string, kind: "user" | "group" | "role", name: string) => entityArn(accountId, kind, "/", name);

/**
 * List* operations are authorized on the path prefix they list (`arn:aws:iam::<acct>:user/` for
 * all users): AWS's Service Authorization Reference lists no resource type for ListUsers,
 * ListGroups, ListRoles or ListPolicies, yet IAM names the prefix in their AccessDenied messages,
 * so a policy can grant listing one path (`user/engineering/*`).
 */
export const pathPrefixArn = (accountId: string, kind: "user" | "group" | "role" | "policy", pathPrefix: string | null | undefined) =>
  `arn:aws:iam::${accountId}:${kind}${pathPrefix ?? "/"}`;

/** aws:RequestTag/<key> per tag and aws:TagKeys: what a request asks to attach. Absent without tags. */
export function requestTagContext(tags: readonly Tag[]): ContextEntry[] {
  if (tags.length === 0) return [];
  return [
    ...tags.map((t): ContextEntry => ({ key: `aws:RequestTag/${t.key}`, type: "string", values: [t.value] })),
    tagKeysContext(tags.map((t) => t.key))[0]!,
  ];
}

export function tagKeysContext(keys: readonly string[]): ContextEntry[] {
  return keys.length === 0 ? [] : [{ key: "aws:TagKeys", type: "stringList", values: [...keys] }];
}

/**
 * aws:ResourceTag/<key> for the tags the target already has. Users and roles also answer to the
 * older iam:ResourceTag/<key> (Service Authorization Reference, resource types `user`, `role`).
 */
export function resourceTagContext(tags: readonly Tag[], alsoIamPrefix: boolean): ContextEntry[] {
  return tags.flatMap((t): ContextEntry[] => [
    { key: `aws:ResourceTag/${t.key}`, type: "string", values: [t.value] },
    ...(alsoIamPrefix ? [{ key: `iam:ResourceTag/${t.key}`, type: "string" as const, values: [t.value] }] : []),
  ]);
}

// ARN-valued keys travel as strings: the ARN operators read them as text (src/policy/conditions/arn.ts).
export const policyArnContext = (policyArn: string): ContextEntry => ({ key: "iam:PolicyARN", type: "string", values: [policyArn] });

export const boundaryContext = (boundaryArn: string | null | undefined): ContextEntry[] =>
  boundaryArn ? [{ key: "iam:PermissionsBoundary", type: "string", values: [boundaryArn] }] : [];

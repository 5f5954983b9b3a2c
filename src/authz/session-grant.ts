import type { Tag } from "../domain/shared/tags.js";
import type { CompiledPolicySet } from "../policy/compile.js";
import type { EvaluationResult } from "../policy/evaluate.js";
import type { ContextEntry } from "../policy/request.js";

/**
 * What a role session adds to the role's own authorization (access_policies_session,
 * id_session-tags, reference_policies_condition-keys): its session policies (the role's
 * permissions are intersected with them), its tags (over the role's), and the keys that only a
 * session has. Built once per session when its credentials are first proven
 * (src/sts/session-authenticator.ts) and carried on the caller.
 */
export interface SessionGrant {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: what decisions about the session name. */
  readonly assumedRoleArn: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  /** `AROA…:<session name>` */
  readonly userId: string;
  /** undefined when the session was issued without session policies (the role's decide alone). */
  readonly sessionPolicies?: CompiledPolicySet;
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly sourceIdentity?: string;
  /** The OIDC provider a web-identity session came through. */
  readonly providerArn?: string;
  /** Whether the session was made by a role session (role chaining: at most one hour). */
  readonly chained: boolean;
}

/**
 * The condition keys of a session, after the role's own (src/authz/request-context.ts) and
 * overriding them: aws:userid is the session's, aws:PrincipalTag/<k> the session tag when one
 * has the key ("session tags override role tags with the same key"), aws:TokenIssueTime the
 * issue time (which revokeRoleSessions' deny reads), aws:MultiFactorAuthPresent false (no MFA
 * went into AssumeRole here).
 */
export function sessionContext(grant: SessionGrant): ContextEntry[] {
  const entries: ContextEntry[] = [
    { key: "aws:userid", type: "string", values: [grant.userId] },
    { key: "aws:TokenIssueTime", type: "date", values: [grant.issuedAt.toISOString()] },
    { key: "aws:MultiFactorAuthPresent", type: "boolean", values: ["false"] },
    { key: "aws:ViaAWSService", type: "boolean", values: ["false"] },
  ];
  if (grant.sourceIdentity !== undefined) entries.push({ key: "aws:SourceIdentity", type: "string", values: [grant.sourceIdentity] });
  if (grant.providerArn !== undefined) entries.push({ key: "aws:FederatedProvider", type: "string", values: [grant.providerArn] });
  for (const tag of grant.tags) entries.push({ key: `aws:PrincipalTag/${tag.key}`, type: "string", values: [tag.value] });
  return entries;
}

/**
 * A session past its expiration is allowed nothing, whatever the role's policies say: its
 * credentials stop working then (ExpiredToken), so a decision about it — `authorize` on its ARN,
 * a `decisionChanged` watch — turns to denied at that moment too.
 */
export function expiredSession(grant: SessionGrant, now: Date): EvaluationResult | undefined {
  return grant.expiresAt.getTime() <= now.getTime() ? { decision: "implicitDeny", reason: "session expired", matchedStatements: [], missingContextValues: [] } : undefined;
}

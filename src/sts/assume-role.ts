import type { PrismaClient } from "../generated/prisma/client.js";
import type { Caller } from "../auth/caller.js";
import { parsePrincipalArn } from "../authz/principal.js";
import { requestTagContext } from "../authz/authorization-check.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { nameKey } from "../domain/shared/names.js";
import { tagKey, type Tag } from "../domain/shared/tags.js";
import type { EvaluationResult } from "../policy/evaluate.js";
import { parsePolicyDocument } from "../policy/parse.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { assumeRoleDecision, evaluateTrustPolicy } from "../policy/trust-policy.js";
import {
  CHAINED_MAX_DURATION_SECONDS,
  DEFAULT_DURATION_SECONDS,
  checkAssumeRoleInput,
  checkPacked,
  packedPolicyPercent,
  type AssumeRoleInput,
} from "./assume-role-input.js";
import { issueSession, type IssuedSession } from "./session-issue.js";
import type { SessionStore, StoredSessionPolicy } from "./session-store.js";
import { trustCallerOf } from "./trust-context.js";

/** The caller's own identity-policy decision for one check (the API asks its authorizer). */
export type IdentityDecider = (action: string, resource: string, context: readonly ContextEntry[]) => Promise<EvaluationResult | undefined>;

export interface StsDeps {
  readonly prisma: PrismaClient;
  readonly sessions: SessionStore;
  readonly accountId: string;
  readonly now: () => Date;
}

export type { IssuedSession };

export const notAuthorized = (callerArn: string, action: string, roleArn: string) =>
  new DomainError("AccessDenied", `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`);

/**
 * STS AssumeRole (AssumeRole API reference): a user or a role session (role chaining) gets
 * temporary credentials for a role when the role's trust policy admits it and, unless the trust
 * policy names it directly in the role's own account, its identity policies allow
 * sts:AssumeRole on the role (src/policy/trust-policy.ts, assumeRoleDecision). Session tags
 * need sts:TagSession, a source identity sts:SetSourceIdentity, on both sides likewise.
 * Nothing is written to the event log: the session is recorded in role_sessions.
 */
export async function assumeRole(deps: StsDeps, caller: Caller, origin: readonly ContextEntry[], input: AssumeRoleInput, identity: IdentityDecider): Promise<IssuedSession> {
  if (caller.kind === "root") throw new DomainError("AccessDenied", "Roles may not be assumed by root accounts.");
  if (caller.kind === "anonymous") throw new DomainError("AccessDenied", "AssumeRole needs credentials: an IAM user's or a role session's.");
  checkAssumeRoleInput(input);
  const now = deps.now();
  const { roleArn } = input;
  const requestTags: readonly Tag[] = input.tags ?? [];
  const inherited = caller.kind === "session" ? caller.session.tags.filter((t) => caller.session.transitiveTagKeys.some((k) => tagKey(k) === tagKey(t.key))) : [];
  for (const t of requestTags) {
    if (inherited.some((i) => tagKey(i.key) === tagKey(t.key))) {
      throw new DomainError("ValidationError", `The session tag ${t.key} has the same key as a transitive tag of the calling session; transitive tags cannot be overridden.`);
    }
  }
  const sourceIdentity = caller.kind === "session" && caller.session.sourceIdentity !== undefined ? caller.session.sourceIdentity : (input.sourceIdentity ?? undefined);
  if (caller.kind === "session" && caller.session.sourceIdentity !== undefined && input.sourceIdentity != null && input.sourceIdentity !== caller.session.sourceIdentity) {
    throw new DomainError("ValidationError", "The source identity of a chained session cannot differ from the calling session's.");
  }

  // A role that does not exist is refused like one that does not trust the caller: AWS answers
  // AccessDenied either way, so the answer does not tell who has which roles.
  const denied = () => notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
  const parsedArn = parsePrincipalArn(roleArn);
  if (!parsedArn || parsedArn.type !== "role" || parsedArn.accountId !== deps.accountId) throw denied();
  const role = await deps.prisma.role.findUnique({ where: { accountId_roleNameKey: { accountId: deps.accountId, roleNameKey: nameKey(parsedArn.name) } } });
  if (!role || role.arn !== roleArn) throw denied();
  const trustDoc = parsePolicyDocument(role.assumeRolePolicyDocument, "trust");
  if (!trustDoc.ok) throw denied();

  const { trustCaller, callerContext } = await trustCallerOf(deps.prisma, caller, now);
  const requestContext: ContextEntry[] = [
    ...origin,
    { key: "sts:RoleSessionName", type: "string", values: [input.roleSessionName] },
    ...(input.externalId != null ? [{ key: "sts:ExternalId", type: "string" as const, values: [input.externalId] }] : []),
    ...(input.sourceIdentity != null ? [{ key: "sts:SourceIdentity", type: "string" as const, values: [input.sourceIdentity] }] : []),
    ...requestTagContext(requestTags),
    ...((input.transitiveTagKeys ?? []).length > 0 ? [{ key: "sts:TransitiveTagKeys", type: "stringList" as const, values: [...input.transitiveTagKeys!] }] : []),
  ];
  const sameAccount = caller.accountId === role.accountId;
  const decide = async (action: string) => {
    const trust = evaluateTrustPolicy(trustDoc.document, { caller: trustCaller, action, context: buildContext([...callerContext, ...requestContext]) });
    const own = await identity(action, roleArn, requestContext);
    return assumeRoleDecision(trust, own?.decision ?? "implicitDeny", sameAccount).allowed;
  };
  if (!(await decide("sts:AssumeRole"))) throw denied();
  if ((requestTags.length > 0 || (input.transitiveTagKeys ?? []).length > 0) && !(await decide("sts:TagSession"))) throw notAuthorized(caller.arn, "sts:TagSession", roleArn);
  if (input.sourceIdentity != null && caller.kind !== "session" && !(await decide("sts:SetSourceIdentity"))) throw notAuthorized(caller.arn, "sts:SetSourceIdentity", roleArn);

  const duration = input.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (caller.kind === "session" && duration > CHAINED_MAX_DURATION_SECONDS) {
    throw new DomainError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (duration > role.maxSessionDuration) throw new DomainError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  const sessionPolicies = await resolveSessionPolicies(deps.prisma, input.policy ?? null, input.policyArns ?? []);
  const packedPolicySize = packedPolicyPercent(input.policy, input.policyArns ?? [], requestTags);
  checkPacked(packedPolicySize);

  const tags = [...inherited, ...requestTags];
  const transitiveTagKeys = [...new Set([...inherited.map((t) => t.key), ...(input.transitiveTagKeys ?? [])])];
  return issueSession(deps, role, {
    sessionName: input.roleSessionName,
    via: "AssumeRole",
    issuedBy: caller.arn,
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    sessionPolicies,
    tags,
    transitiveTagKeys,
    chained: caller.kind === "session",
    now,
    durationSeconds: duration,
    packedPolicySize,
  });
}

/** The inline session policy (checked as an identity policy) and the managed ones' default versions, as text. */
export async function resolveSessionPolicies(prisma: PrismaClient, inline: string | null, arns: readonly string[]): Promise<StoredSessionPolicy[]> {
  const out: StoredSessionPolicy[] = [];
  if (inline !== null) {
    const parsed = parsePolicyDocument(inline, "identity");
    if (!parsed.ok) throw new DomainError("MalformedPolicyDocument", parsed.reason);
    out.push({ name: "session-policy", document: inline });
  }
  if (arns.length === 0) return out;
  const found = await prisma.policy.findMany({ where: { arn: { in: [...arns] } }, include: { versions: { where: { isDefault: true } } } });
  for (const arn of arns) {
    const policy = found.find((p) => p.arn === arn);
    const version = policy?.versions[0];
    if (!policy || !version) throw new DomainError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
    out.push({ name: arn, document: version.document });
  }
  return out;
}

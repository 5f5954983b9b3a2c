import type { EvalDecision } from "../policy/evaluate.js";
import type { PolicyDocument } from "../policy/document.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { assumeRoleDecision, evaluateTrustPolicy, type TrustEvaluation, type TrustMatch } from "../policy/trust-policy.js";
import { parsePrincipalArn, type Principal } from "./principal.js";
import { principalContext } from "./request-context.js";

// "Who can act as role R": the question `principalsAllowed(action: "sts:AssumeRole", resource: R)`
// asks — now (src/authz/who-can.ts) or at a point of the log (src/history/who-could.ts). The
// answer is not the identity policies alone: STS admits a caller only when the role's trust
// policy does too, and a trust policy naming the caller itself needs no identity policy at all
// (src/policy/trust-policy.ts, assumeRoleDecision). This is that combination for one candidate,
// with the same evaluator and the same rule STS applies (src/sts/assume-role.ts).

const ASSUME_ROLE = "sts:assumerole";

/** Whether a who-can question is "who may assume this role" (sts:AssumeRole on a role ARN). */
export function isAssumeRoleQuestion(action: string, resource: string): boolean {
  return action.toLowerCase() === ASSUME_ROLE && parsePrincipalArn(resource)?.type === "role";
}

/**
 * The users and roles a trust policy names by ARN: they may be admitted with no identity policy
 * allowing sts:AssumeRole, so they are candidates whatever their policies say.
 */
export function trustNamedArns(document: PolicyDocument): string[] {
  const arns = new Set<string>();
  for (const statement of document.statements) {
    if (statement.effect !== "Allow" || statement.principal === undefined || statement.principal === "*") continue;
    for (const value of statement.principal["AWS"] ?? []) if (parsePrincipalArn(value)) arns.add(value);
  }
  return [...arns];
}

/**
 * Whether `candidate` — a user, or any session of a role (role chaining) — could assume the role
 * whose trust policy this is, given its identity policies' decision on sts:AssumeRole for it:
 * the trust statements that admit it when it could, else undefined. `context` holds the
 * request's keys (sts:ExternalId, aws:RequestTag/…) as a caller would send them; conditions on
 * keys it lacks do not hold, as at STS.
 */
export function trustAdmits(
  trust: PolicyDocument,
  roleAccountId: string,
  candidate: Principal,
  identity: EvalDecision,
  context: readonly ContextEntry[],
  now: Date,
): readonly TrustMatch[] | undefined {
  const caller =
    candidate.type === "user"
      ? { kind: "user" as const, accountId: candidate.accountId, arn: candidate.arn }
      : // Any session of the role: a trust policy naming one session by its ARN is not satisfied by "some session".
        { kind: "session" as const, accountId: candidate.accountId, roleArn: candidate.arn, sessionArn: "" };
  const evaluation: TrustEvaluation = evaluateTrustPolicy(trust, { caller, action: "sts:AssumeRole", context: buildContext([...principalContext(candidate, now), ...context]) });
  return assumeRoleDecision(evaluation, identity, candidate.accountId === roleAccountId).allowed ? evaluation.matched : undefined;
}

import { principalContext } from "../authz/request-context.js";
import { expiredSession, sessionContext, type SessionGrant } from "../authz/session-grant.js";
import { compilePolicySet, type CompiledPolicySet } from "../policy/compile.js";
import { evaluate, type EvaluationResult } from "../policy/evaluate.js";
import { evaluateSession } from "../policy/session-policy.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { boundaryPolicies, identityPolicies, type EffectiveSet } from "./effective-set.js";

export function compileEffectiveSet(set: EffectiveSet): CompiledPolicySet {
  return compilePolicySet(identityPolicies(set), boundaryPolicies(set));
}

/**
 * The decision for one request against a principal's set at some point. `now` is the moment
 * being asked about (aws:CurrentTime), so a date condition answers as it would have then. With a
 * `session`, the set is its role's and the decision the session's, as the live authorizer makes
 * it (src/authz/authorizer.ts): within its session policies, with its keys, nothing once expired.
 */
export function decideAt(
  set: EffectiveSet,
  request: { readonly action: string; readonly resource: string; readonly context?: readonly ContextEntry[]; readonly session?: SessionGrant },
  now: Date,
  compiled: CompiledPolicySet = compileEffectiveSet(set),
): EvaluationResult {
  const { session } = request;
  const expired = session && expiredSession(session, now);
  if (expired) return expired;
  const own = [...principalContext(set.principal, now), ...(session ? sessionContext(session) : [])];
  const req = { action: request.action, resource: request.resource, context: buildContext([...own, ...(request.context ?? [])]) };
  return session ? evaluateSession(compiled, session.sessionPolicies, req) : evaluate(compiled, req);
}

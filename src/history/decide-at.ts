import { principalContext } from "../authz/request-context.js";
import { compilePolicySet, type CompiledPolicySet } from "../policy/compile.js";
import { evaluate, type EvaluationResult } from "../policy/evaluate.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { boundaryPolicies, identityPolicies, type EffectiveSet } from "./effective-set.js";

export function compileEffectiveSet(set: EffectiveSet): CompiledPolicySet {
  return compilePolicySet(identityPolicies(set), boundaryPolicies(set));
}

/**
 * The decision for one request against a principal's set at some point. `now` is the moment
 * being asked about (aws:CurrentTime), so a date condition answers as it would have then.
 */
export function decideAt(
  set: EffectiveSet,
  request: { readonly action: string; readonly resource: string; readonly context?: readonly ContextEntry[] },
  now: Date,
  compiled: CompiledPolicySet = compileEffectiveSet(set),
): EvaluationResult {
  const context = buildContext([...principalContext(set.principal, now), ...(request.context ?? [])]);
  return evaluate(compiled, { action: request.action, resource: request.resource, context });
}

import { DomainError } from "../domain/shared/domain-error.js";
import { effectiveActions, type EffectiveActions, type EffectiveActionsQuery, type PrincipalFacts } from "../policy/effective-actions.js";
import { buildContext } from "../policy/request.js";
import type { ServiceReference } from "../policy/service-reference.js";
import type { CompiledPolicyCache } from "./compiled-policy-cache.js";
import type { Principal } from "./principal.js";
import { principalContext } from "./request-context.js";

// User.effectiveActions / Role.effectiveActions: the principal's compiled set from the
// authorizer's cache (the same set every authorization of it uses) handed to the pure
// computation (src/policy/effective-actions.ts) with what is known about the principal.

/** Keys that change with every request even though the server fills them. */
const REQUEST_TIME_KEYS = new Set(["aws:currenttime", "aws:epochtime"]);

/**
 * What the authorizer knows about a principal before any request: principalContext without the
 * time. Its keys are decided (a missing `aws:PrincipalTag/x` is a tag the principal does not
 * have; `aws:username` is absent for a role), every other key is the request's.
 */
export function principalFacts(principal: Principal): PrincipalFacts {
  const context = buildContext(principalContext(principal, new Date(0)).filter((e) => !REQUEST_TIME_KEYS.has(e.key.toLowerCase())));
  const decided = (lowerKey: string) => context.has(lowerKey) || lowerKey.startsWith("aws:principaltag/") || lowerKey === "aws:username";
  return { context, decided };
}

export async function effectiveActionsOf(cache: CompiledPolicyCache, reference: ServiceReference, principalArn: string, query: EffectiveActionsQuery): Promise<EffectiveActions> {
  const entry = await cache.get(principalArn);
  if (entry === undefined) throw new DomainError("NoSuchEntity", `The principal ${principalArn} cannot be found.`);
  return effectiveActions(entry.compiled, reference, principalFacts(entry.principal), query);
}

import { DomainError } from "../domain/shared/domain-error.js";
import { effectiveActions, type EffectiveActions, type EffectiveActionsQuery, type PrincipalFacts } from "../policy/effective-actions.js";
import type { CompiledPolicySet } from "../policy/compile.js";
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

/** Distinct (principal facts, query) answers remembered per compiled set: a console asks a few filters. */
const MAX_REMEMBERED_PER_SET = 16;

/**
 * Answers per compiled set, reference and (principal, query). A change to the principal's
 * policies, groups or boundary gives it a new compiled set (compiled-policy-cache.ts), so an
 * answer can only be reused while everything it was computed from is unchanged; the principal's
 * own facts (name, tags) are part of the key. Weak: a set nobody holds takes its answers with it.
 */
const remembered = new WeakMap<CompiledPolicySet, WeakMap<ServiceReference, Map<string, EffectiveActions>>>();

/** effectiveActions, remembered while the principal's compiled set and facts stay the same. */
export function rememberedEffectiveActions(set: CompiledPolicySet, reference: ServiceReference, principal: Principal, query: EffectiveActionsQuery): EffectiveActions {
  let byReference = remembered.get(set);
  if (byReference === undefined) remembered.set(set, (byReference = new WeakMap()));
  let answers = byReference.get(reference);
  if (answers === undefined) byReference.set(reference, (answers = new Map()));
  const key = JSON.stringify([principal, query.services ?? null, query.accessLevels ?? null, query.resource ?? null]);
  let answer = answers.get(key);
  if (answer === undefined) {
    if (answers.size >= MAX_REMEMBERED_PER_SET) answers.clear();
    answer = effectiveActions(set, reference, principalFacts(principal), query);
    answers.set(key, answer);
  }
  return answer;
}

export async function effectiveActionsOf(cache: CompiledPolicyCache, reference: ServiceReference, principalArn: string, query: EffectiveActionsQuery): Promise<EffectiveActions> {
  const entry = await cache.get(principalArn);
  if (entry === undefined) throw new DomainError("NoSuchEntity", `The principal ${principalArn} cannot be found.`);
  return rememberedEffectiveActions(entry.compiled, reference, entry.principal, query);
}

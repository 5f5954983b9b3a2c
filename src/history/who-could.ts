import type { AllowedPrincipal } from "../authz/who-can.js";
import { isAssumeRoleQuestion, trustAdmits } from "../authz/who-can-assume.js";
import { trustPolicyAt } from "./trust-at.js";
import { readAll, type RawQueryable } from "../eventstore/read.js";
import type { ContextEntry } from "../policy/request.js";
import { compileEffectiveSet, decideAt } from "./decide-at.js";
import { effectiveSetOf } from "./effective-set.js";
import type { Point } from "./load.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { awsDateOf, inEffectAt, withAwsArns } from "./aws-dated.js";
import { awsDatedAfter } from "./load.js";
import { emptyWorld, foldWorldInPlace, type World } from "./world.js";

/**
 * Who could do an action on a resource at a point: every user and role that existed then,
 * evaluated against its set at that point. Unlike the single-principal questions this needs
 * every principal, so it folds the whole log up to the point (in pages, in place) — its cost
 * grows with the log, which is why it is a separate question from `authorize(asOf)`.
 */
export async function principalsAllowedAt(
  db: RawQueryable,
  accountId: string,
  point: Point,
  /** `actions`: concrete actions (a question's wildcard expanded by src/authz/action-pattern.ts). */
  request: { readonly actions: readonly string[]; readonly resource: string; readonly context?: readonly ContextEntry[] },
  pageSize = 5000,
): Promise<AllowedPrincipal[]> {
  let world: World = emptyWorld;
  let after = 0;
  const seen: StoredEvent[] = [];
  while (after < point.position) {
    const page = (await readAll(db, after, pageSize)).filter((e) => e.position <= point.position);
    if (page.length === 0) break;
    world = foldWorldInPlace(page.filter((e) => inEffectAt(e, point)), world);
    seen.push(...page.filter((e) => awsDateOf(e) !== undefined && e.type === "PolicyCreated"));
    after = page.at(-1)!.position;
  }
  // AWS versions appended after the point but dated at or before it were in effect then (aws-dated.ts).
  const later = await awsDatedAfter(db, point.position);
  world = withAwsArns(foldWorldInPlace(later.filter((e) => inEffectAt(e, point)), world), [...seen, ...later]);
  // "Who could act as role R then": its trust policy at the point decides with the identity policies (who-can-assume.ts).
  const assumeRole = request.actions.length === 1 && isAssumeRoleQuestion(request.actions[0]!, request.resource);
  const trust = assumeRole ? trustPolicyAt(world, request.resource) : undefined;
  if (assumeRole && !trust) return [];
  const allowed: AllowedPrincipal[] = [];
  for (const streamId of [...world.users.keys(), ...world.roles.keys()]) {
    const set = effectiveSetOf(world, streamId, accountId);
    if (!set) continue;
    const compiled = compileEffectiveSet(set);
    for (const action of request.actions) {
      const result = decideAt(set, { ...request, action }, point.time, compiled);
      if (trust) {
        const trustStatements = trustAdmits(trust.document, trust.accountId, set.principal, result.decision, request.context ?? [], point.time);
        if (trustStatements) allowed.push({ principalArn: set.principal.arn, principalType: set.principal.type, action, matchedStatements: result.decision === "allowed" ? result.matchedStatements : [], trustStatements });
      } else if (result.decision === "allowed") allowed.push({ principalArn: set.principal.arn, principalType: set.principal.type, action, matchedStatements: result.matchedStatements });
    }
  }
  const order = new Map(request.actions.map((a, i) => [a, i]));
  return allowed.sort((a, b) => order.get(a.action)! - order.get(b.action)! || a.principalArn.localeCompare(b.principalArn));
}


import { inputPolicies, simulationPairs, toSimulationResult, type SimulationInput, type SimulationResult } from "../authz/simulation.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { RawQueryable } from "../eventstore/read.js";
import { compilePolicySet } from "../policy/compile.js";
import type { EvaluationResult } from "../policy/evaluate.js";
import type { ContextEntry } from "../policy/request.js";
import { compileEffectiveSet, decideAt } from "./decide-at.js";
import { boundaryPolicies, identityPolicies, type EffectiveSet } from "./effective-set.js";
import { resolvePoint, type AsOf, type Point } from "./load.js";
import type { SessionGrant } from "../authz/session-grant.js";
import { effectiveSetAt } from "./state-at.js";

// The authorizer's two questions (authorize, SimulatePrincipalPolicy) asked of a past point:
// the same evaluator over the principal's set folded to that point, with aws:CurrentTime = the
// point's time. Same result shapes as src/authz/authorizer.ts, so the API can answer either way.

async function setAsOf(db: RawQueryable, accountId: string, principalArn: string, asOf: AsOf): Promise<{ set: EffectiveSet; time: Date }> {
  const point = await resolvePoint(db, asOf);
  const set = await effectiveSetAt(db, principalArn, point, accountId);
  if (!set) throw new DomainError("NoSuchEntity", `The principal ${principalArn} did not exist at position ${point.position}.`);
  return { set, time: point.time };
}

type PointRequest = { readonly principalArn: string; readonly action: string; readonly resource: string; readonly context?: readonly ContextEntry[]; readonly session?: SessionGrant };

export async function authorizeAsOf(db: RawQueryable, accountId: string, asOf: AsOf, request: PointRequest): Promise<EvaluationResult> {
  return authorizeAtPoint(db, accountId, await resolvePoint(db, asOf), request);
}

/** The same at a resolved point; for a role session (`session`), `principalArn` is its role's. */
export async function authorizeAtPoint(db: RawQueryable, accountId: string, point: Point, request: PointRequest): Promise<EvaluationResult> {
  const set = await effectiveSetAt(db, request.principalArn, point, accountId);
  if (!set) throw new DomainError("NoSuchEntity", `The principal ${request.principalArn} did not exist at position ${point.position}.`);
  return decideAt(set, request, point.time);
}

export async function simulatePrincipalPolicyAsOf(
  db: RawQueryable,
  accountId: string,
  asOf: AsOf,
  input: SimulationInput & { readonly policySourceArn: string; readonly policyInputList?: readonly string[]; readonly permissionsBoundaryPolicyInputList?: readonly string[] },
): Promise<SimulationResult[]> {
  const pairs = simulationPairs(input);
  const { set, time } = await setAsOf(db, accountId, input.policySourceArn, asOf);
  const extra = input.policyInputList ?? [];
  const boundaryTexts = input.permissionsBoundaryPolicyInputList;
  const attachedTo = { type: set.principal.type, name: set.principal.name, arn: set.principal.arn };
  // As in AWS: extra documents join the identity policies; a given boundary list replaces the boundary.
  const compiled =
    extra.length === 0 && boundaryTexts === undefined
      ? compileEffectiveSet(set)
      : compilePolicySet(
          [...identityPolicies(set), ...inputPolicies(extra, "PolicyInputList", attachedTo)],
          boundaryTexts?.length ? inputPolicies(boundaryTexts, "PermissionsBoundaryPolicyInputList", attachedTo) : boundaryTexts ? undefined : boundaryPolicies(set),
        );
  return pairs.map(([action, resource]) => toSimulationResult(action, resource, decideAt(set, { action, resource, ...(input.contextEntries ? { context: input.contextEntries } : {}) }, time, compiled)));
}

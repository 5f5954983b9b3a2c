import type { PolicyInEffect, PolicySource } from "../policy/document.js";
import type { EvaluationResult, MatchedStatement } from "../policy/evaluate.js";
import { parsePolicyDocument } from "../policy/parse.js";
import type { ContextEntry } from "../policy/request.js";
import { DomainError } from "../domain/shared/domain-error.js";

/** One row of a simulation, shaped like AWS's EvaluationResult plus iamgraph's provenance. */
export interface SimulationResult {
  readonly evalActionName: string;
  readonly evalResourceName: string;
  readonly evalDecision: EvaluationResult["decision"];
  readonly reason: EvaluationResult["reason"];
  readonly matchedStatements: readonly MatchedStatement[];
  readonly missingContextValues: readonly string[];
  /** Present when a boundary took part: whether it allowed the request. */
  readonly permissionsBoundaryDecisionDetail?: { readonly allowedByPermissionsBoundary: boolean; readonly matchedStatements: readonly MatchedStatement[] };
}

export interface SimulationInput {
  readonly actionNames: readonly string[];
  /** Defaults to `*`, as in AWS. */
  readonly resourceArns?: readonly string[];
  readonly contextEntries?: readonly ContextEntry[];
}

export function toSimulationResult(action: string, resource: string, result: EvaluationResult): SimulationResult {
  return {
    evalActionName: action,
    evalResourceName: resource,
    evalDecision: result.decision,
    reason: result.reason,
    matchedStatements: result.matchedStatements,
    missingContextValues: result.missingContextValues,
    ...(result.boundary
      ? { permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: result.boundary.allowed, matchedStatements: result.boundary.matchedStatements } }
      : {}),
  };
}

/**
 * Policies given inline to a simulation (PolicyInputList / PermissionsBoundaryPolicyInputList),
 * named as AWS names them in results: `PolicyInputList.1`, …
 */
export function inputPolicies(
  texts: readonly string[],
  listName: "PolicyInputList" | "PermissionsBoundaryPolicyInputList",
  attachedTo: PolicySource["attachedTo"],
): PolicyInEffect[] {
  return texts.map((text, i) => {
    const parsed = parsePolicyDocument(text, "identity");
    if (!parsed.ok) throw new DomainError("MalformedPolicyDocument", `${listName}.${i + 1}: ${parsed.reason}`);
    return {
      document: parsed.document,
      source: {
        kind: "inline",
        policyName: `${listName}.${i + 1}`,
        attachedTo,
        role: listName === "PolicyInputList" ? "identity" : "boundary",
      },
    };
  });
}

export const maxSimulationRequests = 1000;

export function simulationPairs(input: SimulationInput): [string, string][] {
  if (input.actionNames.length === 0) throw new DomainError("InvalidInput", "At least one action name is required.");
  const resources = input.resourceArns && input.resourceArns.length > 0 ? input.resourceArns : ["*"];
  const pairs = input.actionNames.flatMap((a) => resources.map((r) => [a, r] as [string, string]));
  if (pairs.length > maxSimulationRequests) {
    throw new DomainError("InvalidInput", `A simulation evaluates at most ${maxSimulationRequests} action/resource pairs; got ${pairs.length}.`);
  }
  return pairs;
}

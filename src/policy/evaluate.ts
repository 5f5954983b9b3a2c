// The decision (reference_policies_evaluation-logic, access_policies_boundaries), one rule:
//   any matching Deny (identity or boundary)          -> explicitDeny
//   no identity Allow                                 -> implicitDeny
//   a boundary is set and none of it Allows           -> implicitDeny (a boundary never grants)
//   otherwise                                         -> allowed
// Order of policies and statements never changes the decision. Never throws on a parsed policy.

import type { Effect, PolicyInEffect, PolicySource } from "./document.js";
import type { AuthorizationRequest } from "./request.js";
import { type CompiledPolicy, type CompiledPolicySet, type StatementIndex, bucketFor, compilePolicySet } from "./compile.js";
import { substitutedValues } from "./condition.js";
import {
  type CompiledStatement,
  statementConditionsHold,
  statementMatchesAction,
  statementMatchesResource,
} from "./statement.js";
import type { Glob } from "./wildcard.js";

export type EvalDecision = "allowed" | "explicitDeny" | "implicitDeny";

export type EvalReason =
  | "explicitDeny in identity policy"
  | "explicitDeny in permissions boundary"
  | "no identity allow"
  | "boundary does not allow"
  | "allowed";

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  /** Policy values after variable substitution (a value whose variable has no value stays as written). */
  readonly policyValues: string[];
  /** null = the key is missing from the request context. */
  readonly contextValues: string[] | null;
  readonly matched: boolean;
}

export interface MatchedStatement {
  readonly source: PolicySource;
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly conditions: ConditionTrace[];
}

export interface EvaluationResult {
  readonly decision: EvalDecision;
  /** Identity statements that matched: the Deny ones when explicitly denied (possibly none, if the boundary denied), else the Allow ones. */
  readonly matchedStatements: MatchedStatement[];
  /** Present when a boundary is set: whether it allows, and its matched statements (Deny ones if it denies). */
  readonly boundary?: { readonly allowed: boolean; readonly matchedStatements: MatchedStatement[] };
  readonly reason: EvalReason;
  /** Condition (and variable) keys read by the relevant statements but absent from the context. */
  readonly missingContextValues: string[];
}

/** A statement that matched, with the provenance it has in this principal's set. */
interface Match {
  readonly statement: CompiledStatement;
  readonly source: PolicySource;
}

interface Matches {
  readonly allows: Match[];
  readonly denies: Match[];
}

function matchIndex(
  index: StatementIndex,
  request: AuthorizationRequest,
  lowerAction: string,
  missing: Map<string, string>,
): Matches {
  const allows: Match[] = [];
  const denies: Match[] = [];
  const { context } = request;
  const sink = (key: string): void => {
    if (!missing.has(key.toLowerCase())) missing.set(key.toLowerCase(), key);
  };
  const resolved = new Map<string, Glob | null>();
  const { statements, sources } = bucketFor(index, lowerAction);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (!statementMatchesAction(s, lowerAction)) continue;
    if (!statementMatchesResource(s, request.resource, context, sink, resolved)) continue;
    // The statement is relevant: report every key it reads that the request lacks.
    for (const k of s.keys) if (!context.has(k.lowerKey)) sink(k.key);
    if (!statementConditionsHold(s, context)) continue;
    (s.effect === "Deny" ? denies : allows).push({ statement: s, source: sources[i]! });
  }
  return { allows, denies };
}

function explain({ statement: s, source }: Match, request: AuthorizationRequest): MatchedStatement {
  const { context } = request;
  const conditions = s.conditions.map((c): ConditionTrace => {
    const entry = context.get(c.lowerKey);
    return {
      operator: c.operator,
      key: c.key,
      policyValues: substitutedValues(c, context),
      contextValues: entry === undefined ? null : [...entry.values],
      // Only statements whose every condition held are explained.
      matched: true,
    };
  });
  return {
    source,
    statementIndex: s.statementIndex,
    ...(s.sid === undefined ? {} : { sid: s.sid }),
    effect: s.effect,
    conditions,
  };
}

export function evaluate(set: CompiledPolicySet, request: AuthorizationRequest): EvaluationResult {
  const lowerAction = request.action.toLowerCase();
  const missing = new Map<string, string>();
  const identity = matchIndex(set.identity, request, lowerAction, missing);
  const boundary = set.boundary === undefined ? undefined : matchIndex(set.boundary, request, lowerAction, missing);
  const show = (list: Match[]): MatchedStatement[] => list.map((s) => explain(s, request));

  let decision: EvalDecision;
  let reason: EvalReason;
  if (identity.denies.length > 0) {
    decision = "explicitDeny";
    reason = "explicitDeny in identity policy";
  } else if (boundary !== undefined && boundary.denies.length > 0) {
    decision = "explicitDeny";
    reason = "explicitDeny in permissions boundary";
  } else if (identity.allows.length === 0) {
    decision = "implicitDeny";
    reason = "no identity allow";
  } else if (boundary !== undefined && boundary.allows.length === 0) {
    decision = "implicitDeny";
    reason = "boundary does not allow";
  } else {
    decision = "allowed";
    reason = "allowed";
  }

  const result: EvaluationResult = {
    decision,
    // When denied, only the denying statements explain the decision (a boundary's are in `boundary`).
    matchedStatements: show(decision === "explicitDeny" ? identity.denies : identity.allows),
    reason,
    missingContextValues: [...missing.values()].sort(),
  };
  if (boundary === undefined) return result;
  return {
    ...result,
    boundary: {
      allowed: boundary.denies.length === 0 && boundary.allows.length > 0,
      matchedStatements: show(boundary.denies.length > 0 ? boundary.denies : boundary.allows),
    },
  };
}

/** Compile and evaluate in one go (for one-off checks; cache compilePolicySet for hot paths). */
export function evaluatePolicies(
  identity: readonly (PolicyInEffect | CompiledPolicy)[],
  boundary: readonly (PolicyInEffect | CompiledPolicy)[] | undefined,
  request: AuthorizationRequest,
): EvaluationResult {
  return evaluate(compilePolicySet(identity, boundary), request);
}

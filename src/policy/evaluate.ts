// The decision (reference_policies_evaluation-logic, access_policies_boundaries), one rule:
//   any matching Deny (identity or boundary)          -> explicitDeny
//   no identity Allow                                 -> implicitDeny
//   a boundary is set and none of it Allows           -> implicitDeny (a boundary never grants)
//   otherwise                                         -> allowed
// Order of policies and statements never changes the decision. Never throws on a parsed policy.

import type { Effect, PolicyInEffect, PolicySource } from "./document.js";
import type { AuthorizationRequest, ContextEntry } from "./request.js";
import { type CompiledPolicy, type CompiledPolicySet, compilePolicySet } from "./compile.js";
import { substitutedValues } from "./condition.js";
import { type Match, RequestScope, matchIndex } from "./match.js";
import type { CompiledStatement } from "./statement.js";

export type EvalDecision = "allowed" | "explicitDeny" | "implicitDeny";

export type EvalReason =
  | "explicitDeny in identity policy"
  | "explicitDeny in permissions boundary"
  | "no identity allow"
  | "boundary does not allow"
  | "explicitDeny in session policy"
  | "no session policy allows"
  /** A role session past its expiration may do nothing (its credentials are refused: ExpiredToken). */
  | "session expired"
  | "allowed";

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  /** Policy values after variable substitution (a value whose variable has no value stays as written). */
  readonly policyValues: readonly string[];
  /** null = the key is missing from the request context. */
  readonly contextValues: readonly string[] | null;
  readonly matched: boolean;
}

export interface MatchedStatement {
  readonly source: PolicySource;
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly conditions: readonly ConditionTrace[];
}

export interface EvaluationResult {
  readonly decision: EvalDecision;
  /** Identity statements that matched: the Deny ones when explicitly denied (possibly none, if the boundary denied), else the Allow ones. */
  readonly matchedStatements: readonly MatchedStatement[];
  /** Present when a boundary is set: whether it allows, and its matched statements (Deny ones if it denies). */
  readonly boundary?: { readonly allowed: boolean; readonly matchedStatements: readonly MatchedStatement[] };
  readonly reason: EvalReason;
  /** Condition (and variable) keys read by the relevant statements but absent from the context. */
  readonly missingContextValues: readonly string[];
}

// Results are read-only values, so the empty lists, and the policy values and context values
// of the traces, are shared rather than copied: explaining a decision allocates only the
// objects that say something new about this request.
const NO_STATEMENTS: readonly MatchedStatement[] = Object.freeze([]);
const NO_TRACES: readonly ConditionTrace[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);

function explainAll(matches: readonly Match[], context: ReadonlyMap<string, ContextEntry>): readonly MatchedStatement[] {
  if (matches.length === 0) return NO_STATEMENTS;
  const out = new Array<MatchedStatement>(matches.length);
  for (let i = 0; i < matches.length; i++) out[i] = explain(matches[i]!, context);
  return out;
}

function explain({ statement: s, source }: Match, context: ReadonlyMap<string, ContextEntry>): MatchedStatement {
  const conditions = s.conditions.length === 0 ? NO_TRACES : traces(s, context);
  const { statementIndex, sid, effect } = s;
  if (sid === undefined) return { source, statementIndex, effect, conditions };
  return { source, statementIndex, sid, effect, conditions };
}

function traces(s: CompiledStatement, context: ReadonlyMap<string, ContextEntry>): ConditionTrace[] {
  const out = new Array<ConditionTrace>(s.conditions.length);
  for (let i = 0; i < s.conditions.length; i++) {
    const c = s.conditions[i]!;
    const entry = context.get(c.lowerKey);
    out[i] = {
      operator: c.operator,
      key: c.key,
      policyValues: substitutedValues(c, context),
      contextValues: entry === undefined ? null : entry.values,
      // Only statements whose every condition held are explained.
      matched: true,
    };
  }
  return out;
}

export function evaluate(set: CompiledPolicySet, request: AuthorizationRequest): EvaluationResult {
  const scope = new RequestScope(request);
  const identity = matchIndex(set.identity, scope);
  const boundary = set.boundary === undefined ? undefined : matchIndex(set.boundary, scope);
  const { context } = request;

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

  // When denied, only the denying statements explain the decision (a boundary's are in `boundary`).
  const matchedStatements = explainAll(decision === "explicitDeny" ? identity.denies : identity.allows, context);
  const missingContextValues = scope.missing === undefined ? NO_KEYS : scope.missingKeys();
  if (boundary === undefined) return { decision, matchedStatements, reason, missingContextValues };
  return {
    decision,
    matchedStatements,
    reason,
    missingContextValues,
    boundary: {
      allowed: boundary.denies.length === 0 && boundary.allows.length > 0,
      matchedStatements: explainAll(boundary.denies.length > 0 ? boundary.denies : boundary.allows, context),
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

// Finding the statements of one index that apply to one request: Action (remembered per
// action by the index), then Resource, then Condition. The hot loop of every authorization,
// so it allocates only for what it finds.

import type { PolicySource } from "./document.js";
import type { AuthorizationRequest } from "./request.js";
import { type StatementIndex, actionBucket } from "./compile.js";
import { type CompiledStatement, type EvaluationId, statementConditionsHold, statementMatchesResource } from "./statement.js";
import type { MissingKeySink } from "./variables.js";

/** A statement that applies, with the provenance it has in this principal's set. */
export interface Match {
  readonly statement: CompiledStatement;
  readonly source: PolicySource;
}

export interface Matches {
  readonly allows: readonly Match[];
  readonly denies: readonly Match[];
}

const NONE: readonly Match[] = [];

/** What one evaluation remembers while it visits the identity policies and the boundary. */
let evaluations = 0;

export class RequestScope implements MissingKeySink {
  /** This evaluation's id for the memos of shared patterns (statement.ts); never 0. */
  readonly evaluation: EvaluationId = (evaluations = evaluations >= Number.MAX_SAFE_INTEGER ? 1 : evaluations + 1);
  /** Missing context keys by lower-cased name; created on the first one. */
  missing: Map<string, string> | undefined = undefined;

  constructor(readonly request: AuthorizationRequest) {}

  missingKey(key: string): void {
    this.addMissing(key.toLowerCase(), key);
  }

  addMissing(lowerKey: string, key: string): void {
    this.missing ??= new Map();
    if (!this.missing.has(lowerKey)) this.missing.set(lowerKey, key);
  }

  /** Missing keys as the policies spelled them, sorted. */
  missingKeys(): string[] {
    return this.missing === undefined ? [] : [...this.missing.values()].sort();
  }
}

export function matchIndex(index: StatementIndex, scope: RequestScope): Matches {
  let allows: Match[] | undefined;
  let denies: Match[] | undefined;
  const { context, resource } = scope.request;
  const { statements, sources } = actionBucket(index, scope.request.action);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (!statementMatchesResource(s, resource, context, scope, scope.evaluation)) continue;
    // The statement is relevant: report every key it reads that the request lacks.
    for (const k of s.keys) if (!context.has(k.lowerKey)) scope.addMissing(k.lowerKey, k.key);
    if (!statementConditionsHold(s, context)) continue;
    const match = { statement: s, source: sources[i]! };
    if (s.effect === "Deny") (denies ??= []).push(match);
    else (allows ??= []).push(match);
  }
  return { allows: allows ?? NONE, denies: denies ?? NONE };
}

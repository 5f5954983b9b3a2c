// Compile the policies in effect for one principal once (the caller caches the result), with
// statements indexed by the service prefix of their actions so evaluation only visits
// candidates. Statements whose Action starts with a wildcard, or that use NotAction, go to a
// bucket checked for every request.

import type { PolicyInEffect } from "./document.js";
import { type CompiledStatement, compileStatement } from "./statement.js";
import { actionService } from "./wildcard.js";

export interface StatementIndex {
  /** Per service: the statements confined to it plus the always-checked ones, in document order. */
  readonly byService: ReadonlyMap<string, readonly CompiledStatement[]>;
  readonly always: readonly CompiledStatement[];
  readonly size: number;
}

export interface CompiledPolicySet {
  readonly identity: StatementIndex;
  /** undefined when the principal has no permissions boundary. */
  readonly boundary?: StatementIndex;
}

function indexPolicies(policies: readonly PolicyInEffect[]): StatementIndex {
  const byService = new Map<string, CompiledStatement[]>();
  const always: CompiledStatement[] = [];
  let ordinal = 0;
  for (const policy of policies) {
    const { version, statements } = policy.document;
    statements.forEach((statement, statementIndex) => {
      const compiled = compileStatement(statement, version, policy.source, statementIndex, ordinal++);
      if (compiled.services === null) {
        always.push(compiled);
        return;
      }
      for (const service of compiled.services) {
        const bucket = byService.get(service);
        if (bucket === undefined) byService.set(service, [compiled]);
        else bucket.push(compiled);
      }
    });
  }
  // Each service bucket also holds the always-checked statements, merged in document order at
  // compile time, so evaluation allocates nothing to find its candidates.
  for (const [service, bucket] of byService) byService.set(service, mergeByOrdinal(bucket, always));
  return { byService, always, size: ordinal };
}

/**
 * Compile identity policies and, when the principal has one, its permissions boundary
 * (`boundary` undefined = no boundary; AWS allows one boundary policy, a list is accepted).
 */
export function compilePolicySet(
  identity: readonly PolicyInEffect[],
  boundary?: readonly PolicyInEffect[],
): CompiledPolicySet {
  const set = { identity: indexPolicies(identity) };
  return boundary === undefined ? set : { ...set, boundary: indexPolicies(boundary) };
}

/** Statements that may match an action: its service's bucket (which includes the always-checked ones). */
export function candidates(index: StatementIndex, lowerAction: string): readonly CompiledStatement[] {
  return index.byService.get(actionService(lowerAction)) ?? index.always;
}

function mergeByOrdinal(a: readonly CompiledStatement[], b: readonly CompiledStatement[]): CompiledStatement[] {
  const merged: CompiledStatement[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.ordinal < y.ordinal)) {
      merged.push(x!);
      i++;
    } else {
      merged.push(y);
      j++;
    }
  }
  return merged;
}

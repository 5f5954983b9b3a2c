// Compilation in two steps, so thousands of principals can share the ~1,500 managed policies:
// 1. compileDocument / compilePolicy: one document's statements, compiled once and indexed by
//    the service prefix of their actions. Independent of who holds the policy.
// 2. compilePolicySet: a principal's identity policies (and boundary) merged into one index,
//    each statement paired with this principal's provenance. With pre-compiled documents this
//    is only merging lists of positions.
// Statements whose Action starts with a wildcard, or that use NotAction, go to a bucket
// checked for every request.

import type { PolicyDocument, PolicyInEffect, PolicySource } from "./document.js";
import { type CompiledStatement, compileStatement, statementMatchesAction } from "./statement.js";
import { actionService } from "./wildcard.js";

/** One document compiled; shared by every principal holding it (it carries no provenance). */
export interface CompiledDocument {
  readonly statements: readonly CompiledStatement[];
  /** Per service: positions in `statements` of those confined to it, ascending. */
  readonly byService: ReadonlyMap<string, readonly number[]>;
  /** Positions of the statements checked for every action, ascending. */
  readonly always: readonly number[];
}

/** A compiled document with the provenance it has for one principal. */
export interface CompiledPolicy {
  readonly source: PolicySource;
  readonly compiled: CompiledDocument;
}

/** Statements that may match, in document order, with the provenance of each (same positions). */
export interface StatementBucket {
  readonly statements: readonly CompiledStatement[];
  readonly sources: readonly PolicySource[];
}

export interface StatementIndex {
  /** Per service: the statements confined to it plus the always-checked ones, in document order. */
  readonly byService: ReadonlyMap<string, StatementBucket>;
  readonly always: StatementBucket;
  /** Every statement of the set, in document order (walks over all actions: effective-actions.ts). */
  readonly all: StatementBucket;
  readonly size: number;
  /**
   * Per action as requested (any case), the statements whose Action/NotAction matches it,
   * filled on first use (see actionBucket). A memo of a pure function of the compiled set, so
   * sharing a set between requests is safe; it forgets everything when it grows past
   * MAX_REMEMBERED_ACTIONS.
   */
  readonly byAction: Map<string, StatementBucket>;
}

/** Distinct actions an index remembers; callers may send any text as the action. */
const MAX_REMEMBERED_ACTIONS = 4096;

export interface CompiledPolicySet {
  readonly identity: StatementIndex;
  /** undefined when the principal has no permissions boundary. */
  readonly boundary?: StatementIndex;
}

// Documents are immutable values (the app's parse cache hands the same object to every
// principal whose policy has the same text), so a compiled document can be remembered per
// document object: callers that only pass PolicyInEffect share compilations too. Weak, so a
// document nobody holds any more takes its compilation with it.
const compiledDocuments = new WeakMap<PolicyDocument, CompiledDocument>();

/** Compile one document (remembered per document object). */
export function compileDocument(document: PolicyDocument): CompiledDocument {
  let compiled = compiledDocuments.get(document);
  if (compiled === undefined) {
    compiled = compileUncached(document);
    compiledDocuments.set(document, compiled);
  }
  return compiled;
}

/**
 * Compile one policy once; cache the result by e.g. policy ARN + version id (managed) or owner
 * + name + text (inline). For another principal holding the same policy, reuse it with that
 * principal's provenance: `{ ...compiled, source }`.
 */
export function compilePolicy(policy: PolicyInEffect): CompiledPolicy {
  return { source: policy.source, compiled: compileDocument(policy.document) };
}

function compileUncached(document: PolicyDocument): CompiledDocument {
  const statements = document.statements.map((s, i) => compileStatement(s, document.version, i));
  const byService = new Map<string, number[]>();
  const always: number[] = [];
  statements.forEach((s, i) => {
    if (s.services === null) {
      always.push(i);
      return;
    }
    for (const service of s.services) {
      const positions = byService.get(service);
      if (positions === undefined) byService.set(service, [i]);
      else positions.push(i);
    }
  });
  return { statements, byService, always };
}

function isCompiled(p: PolicyInEffect | CompiledPolicy): p is CompiledPolicy {
  return "compiled" in p;
}

function indexPolicies(policies: readonly (PolicyInEffect | CompiledPolicy)[]): StatementIndex {
  const docs = policies.map((policy) => (isCompiled(policy) ? policy.compiled : compileDocument(policy.document)));
  return docs.every((doc) => doc.always.length === 0) ? indexConfined(policies, docs) : indexMerged(policies, docs);
}

/**
 * The usual set: every statement names its services, so each goes straight to the end of its
 * services' buckets, in document order, with no positions to merge. This is what re-linking a
 * holder after a change to one of its policies costs, so it is kept to one pass.
 */
function indexConfined(policies: readonly (PolicyInEffect | CompiledPolicy)[], docs: readonly CompiledDocument[]): StatementIndex {
  const byService = new Map<string, { statements: CompiledStatement[]; sources: PolicySource[] }>();
  const statements: CompiledStatement[] = [];
  const sources: PolicySource[] = [];
  for (let k = 0; k < docs.length; k++) {
    const doc = docs[k]!;
    const source = policies[k]!.source;
    for (const s of doc.statements) {
      statements.push(s);
      sources.push(source);
    }
    for (const [service, positions] of doc.byService) {
      let bucket = byService.get(service);
      if (bucket === undefined) byService.set(service, (bucket = { statements: [], sources: [] }));
      for (const p of positions) {
        bucket.statements.push(doc.statements[p]!);
        bucket.sources.push(source);
      }
    }
  }
  return { byService, always: { statements: [], sources: [] }, all: { statements, sources }, size: statements.length, byAction: new Map() };
}

/** A set with statements checked for every action: those are merged into every service's bucket. */
function indexMerged(policies: readonly (PolicyInEffect | CompiledPolicy)[], docs: readonly CompiledDocument[]): StatementIndex {
  // Positions across the whole set (ordinals) keep every bucket in document order.
  const statements: CompiledStatement[] = [];
  const sources: PolicySource[] = [];
  const byOrdinals = new Map<string, number[]>();
  const alwaysOrdinals: number[] = [];
  for (let k = 0; k < docs.length; k++) {
    const policy = policies[k]!;
    const doc = docs[k]!;
    const base = statements.length;
    for (const s of doc.statements) {
      statements.push(s);
      sources.push(policy.source);
    }
    for (const [service, positions] of doc.byService) {
      let ordinals = byOrdinals.get(service);
      if (ordinals === undefined) byOrdinals.set(service, (ordinals = []));
      for (const p of positions) ordinals.push(base + p);
    }
    for (const p of doc.always) alwaysOrdinals.push(base + p);
  }
  const bucket = (ordinals: readonly number[]): StatementBucket => ({
    statements: ordinals.map((o) => statements[o]!),
    sources: ordinals.map((o) => sources[o]!),
  });
  // Each service bucket also holds the always-checked statements, merged in document order
  // here, so evaluation allocates nothing to find its candidates.
  const byService = new Map<string, StatementBucket>();
  for (const [service, ordinals] of byOrdinals) byService.set(service, bucket(mergeAscending(ordinals, alwaysOrdinals)));
  return { byService, always: bucket(alwaysOrdinals), all: { statements, sources }, size: statements.length, byAction: new Map() };
}

/**
 * Compile identity policies and, when the principal has one, its permissions boundary
 * (`boundary` undefined = no boundary; AWS allows one boundary policy, a list is accepted).
 * Policies may come already compiled (compilePolicy); their provenance is taken as given.
 */
export function compilePolicySet(
  identity: readonly (PolicyInEffect | CompiledPolicy)[],
  boundary?: readonly (PolicyInEffect | CompiledPolicy)[],
): CompiledPolicySet {
  const set = { identity: indexPolicies(identity) };
  return boundary === undefined ? set : { ...set, boundary: indexPolicies(boundary) };
}

/** The bucket of statements that may match an action (its service's, which includes the always-checked ones). */
export function bucketFor(index: StatementIndex, lowerAction: string): StatementBucket {
  return index.byService.get(actionService(lowerAction)) ?? index.always;
}

/** Statements that may match an action, in document order. */
export function candidates(index: StatementIndex, lowerAction: string): readonly CompiledStatement[] {
  return bucketFor(index, lowerAction).statements;
}

/**
 * The statements whose Action/NotAction matches the action, in document order, with their
 * provenance. Computed once per distinct action and index: a principal calls few actions
 * many times, so evaluation then visits only the statements that can apply. Remembered by the
 * action as the caller spelled it: callers repeat one spelling, so a known action costs one
 * lookup and no lower-cased copy (actions ignore case, so every spelling gets the same bucket).
 */
export function actionBucket(index: StatementIndex, action: string): StatementBucket {
  const known = index.byAction.get(action);
  if (known !== undefined) return known;
  const lowerAction = action.toLowerCase();
  const { statements, sources } = bucketFor(index, lowerAction);
  const matching: CompiledStatement[] = [];
  const matchingSources: PolicySource[] = [];
  for (let i = 0; i < statements.length; i++) {
    if (!statementMatchesAction(statements[i]!, lowerAction)) continue;
    matching.push(statements[i]!);
    matchingSources.push(sources[i]!);
  }
  if (index.byAction.size >= MAX_REMEMBERED_ACTIONS) index.byAction.clear();
  const bucket = { statements: matching, sources: matchingSources };
  index.byAction.set(action, bucket);
  return bucket;
}

function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) merged.push(a[i++]!);
    else merged.push(b[j++]!);
  }
  return merged;
}

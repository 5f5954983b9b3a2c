// One statement compiled for fast matching: Action/NotAction as lower-cased globs, Resource/
// NotResource as case-sensitive globs (with policy variables in 2012-10-17 documents), and
// its conditions. A compiled statement knows nothing of where its policy is attached, so one
// compiled document serves every principal that holds it; provenance is added per set.

import type { Effect, PolicyStatement, PolicyVersion } from "./document.js";
import type { ContextEntry } from "./request.js";
import { type CompiledCondition, compileCondition, conditionMatches } from "./condition.js";
import { type MissingKeySink, type Template, parseTemplate, resolvePieces, templateKeys, variableValuesKey } from "./variables.js";
import { type Glob, compileGlob, globMatches, hasPrefix, patternService } from "./wildcard.js";

interface ActionSet {
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  readonly globs: readonly Glob[];
}

interface ResourcePattern {
  /** Literal text every matching resource starts with: a cheap first filter. */
  readonly prefix: string;
  readonly glob: Glob | null;
  /** Set when the pattern holds policy variables: compiled per distinct substitution. */
  readonly template: Template | null;
  /** Compiled substitutions by the values of the variables (see substituted). */
  readonly substitutions: Map<string, Glob>;
  /** The evaluation that last matched this pattern (see EvaluationId) and its answer. */
  lastEvaluation: number;
  lastMatched: boolean;
}

/**
 * Identifies one evaluation (one request against one principal's set): while it lasts the
 * resource and the context are fixed, so a pattern or condition shared by many statements is
 * decided once for all of them. 0 = not remembered.
 */
export type EvaluationId = number;

export interface CompiledStatement {
  /** Position of the statement in its document. */
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** null when the statement has neither Action nor NotAction (never matches). */
  readonly actions: ActionSet | null;
  readonly notAction: boolean;
  /** null when the statement has neither Resource nor NotResource (never matches). */
  readonly resources: readonly ResourcePattern[] | null;
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Condition keys and variable keys this statement reads, as written and lower-cased. */
  readonly keys: readonly { readonly key: string; readonly lowerKey: string }[];
  /** Services its Action patterns are confined to; null = any service (wildcard or NotAction). */
  readonly services: readonly string[] | null;
}

function compileActions(patterns: readonly string[]): ActionSet {
  let any = false;
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const p of patterns) {
    const g = compileGlob(p, true);
    if (g.shape === "any") any = true;
    else if (g.shape === "exact") exact.add(g.text);
    else globs.push(g);
  }
  return { any, exact, globs };
}

function actionSetMatches(set: ActionSet, lowerAction: string): boolean {
  if (set.any || set.exact.has(lowerAction)) return true;
  for (const g of set.globs) if (globMatches(g, lowerAction)) return true;
  return false;
}

const NO_SUBSTITUTIONS = new Map<string, Glob>();

// One compiled pattern per distinct text (and version), whichever statements and documents
// hold it: a principal's policies repeat `arn:aws:s3:::home/${aws:username}/*` or `*` across
// dozens of statements, and a shared pattern is matched once per evaluation. An optimisation
// only, so the table may forget (a later compile then makes a new, equal pattern).
const resourcePatterns = new Map<string, ResourcePattern>();
const MAX_SHARED_PATTERNS = 50_000;

function compileResource(pattern: string, version: PolicyVersion): ResourcePattern {
  const id = `${version}|${pattern}`;
  let known = resourcePatterns.get(id);
  if (known === undefined) {
    if (resourcePatterns.size >= MAX_SHARED_PATTERNS) resourcePatterns.clear();
    resourcePatterns.set(id, (known = compileResourceUncached(pattern, version)));
  }
  return known;
}

function compileResourceUncached(pattern: string, version: PolicyVersion): ResourcePattern {
  const template = parseTemplate(pattern, version);
  const first = template.parts[0];
  const lead = first !== undefined && first.kind === "text" ? first.text : "";
  const wild = lead.search(/[*?]/);
  const prefix = wild < 0 ? lead : lead.slice(0, wild);
  if (template.dynamic) return { prefix, glob: null, template, substitutions: new Map(), lastEvaluation: 0, lastMatched: false };
  return { prefix, glob: compileGlob(pattern), template: null, substitutions: NO_SUBSTITUTIONS, lastEvaluation: 0, lastMatched: false };
}

export function compileStatement(
  statement: PolicyStatement,
  version: PolicyVersion,
  statementIndex: number,
): CompiledStatement {
  const actionPatterns = statement.action ?? statement.notAction;
  const resourcePatterns = statement.resource ?? statement.notResource;
  const conditions = statement.conditions.map((c) => compileCondition(c, version));
  const resources = resourcePatterns?.map((r) => compileResource(r, version)) ?? null;
  const keys = new Map<string, string>();
  const addKey = (k: string): void => {
    if (!keys.has(k.toLowerCase())) keys.set(k.toLowerCase(), k);
  };
  for (const c of conditions) {
    addKey(c.key);
    c.variableKeys.forEach(addKey);
  }
  for (const r of resources ?? []) if (r.template !== null) templateKeys(r.template).forEach(addKey);
  return {
    statementIndex,
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
    effect: statement.effect,
    actions: actionPatterns === undefined ? null : compileActions(actionPatterns),
    notAction: statement.action === undefined && statement.notAction !== undefined,
    resources,
    notResource: statement.resource === undefined && statement.notResource !== undefined,
    conditions,
    keys: [...keys].map(([lowerKey, key]) => ({ key, lowerKey })),
    services: statement.action === undefined ? null : actionServices(statement.action),
  };
}

/** The services a list of Action patterns is confined to, or null if any pattern may match any service. */
function actionServices(patterns: readonly string[]): string[] | null {
  const found = new Set<string>();
  for (const p of patterns) {
    const s = patternService(p);
    if (s === null) return null;
    found.add(s);
  }
  return [...found];
}

/** Action / NotAction: NotAction matches every action not listed. */
export function statementMatchesAction(s: CompiledStatement, lowerAction: string): boolean {
  if (s.actions === null) return false;
  return actionSetMatches(s.actions, lowerAction) !== s.notAction;
}

/**
 * Resource / NotResource. A pattern whose variable has no value matches nothing: in Resource
 * it grants nothing, in NotResource it excludes nothing.
 */
export function statementMatchesResource(
  s: CompiledStatement,
  resource: string,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
  evaluation: EvaluationId = 0,
): boolean {
  if (s.resources === null) return false;
  let any = false;
  for (const r of s.resources) {
    if (patternMatches(r, resource, context, missing, evaluation)) {
      any = true;
      break;
    }
  }
  return any !== s.notResource;
}

function patternMatches(r: ResourcePattern, resource: string, context: ReadonlyMap<string, ContextEntry>, missing: MissingKeySink | undefined, evaluation: EvaluationId): boolean {
  // Within one evaluation a pattern's answer cannot change (missing keys were reported the first time).
  if (evaluation !== 0 && r.lastEvaluation === evaluation) return r.lastMatched;
  let matched = false;
  if (hasPrefix(resource, r.prefix)) {
    const glob = r.template === null ? r.glob : substituted(r, r.template, context, missing);
    matched = glob !== null && globMatches(glob, resource);
  }
  if (evaluation !== 0) {
    r.lastEvaluation = evaluation;
    r.lastMatched = matched;
  }
  return matched;
}

/** Distinct substitutions a pattern remembers (e.g. one per user name); forgets all past this. */
const MAX_SUBSTITUTIONS = 256;

/**
 * The pattern with its variables substituted, compiled. Remembered on the pattern by the
 * variables' values: a principal's requests substitute the same user name again and again.
 */
function substituted(r: ResourcePattern, template: Template, context: ReadonlyMap<string, ContextEntry>, missing?: MissingKeySink): Glob | null {
  const key = variableValuesKey(template, context);
  if (key === null) {
    resolvePieces(template, context, missing); // reports the missing keys
    return null;
  }
  const known = r.substitutions.get(key);
  if (known !== undefined) return known;
  const pieces = resolvePieces(template, context, missing);
  const glob = pieces === null ? null : compileGlob(pieces);
  if (glob !== null) {
    if (r.substitutions.size >= MAX_SUBSTITUTIONS) r.substitutions.clear();
    r.substitutions.set(key, glob);
  }
  return glob;
}

/** All conditions hold (AND); an empty Condition block holds. */
export function statementConditionsHold(
  s: CompiledStatement,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
): boolean {
  for (const c of s.conditions) if (!conditionMatches(c, context, missing)) return false;
  return true;
}

// Effective permissions as actions: every concrete action of the service reference a compiled
// policy set allows, on which resources, under which conditions, and the statements that grant
// it — the evaluator's rule (evaluate.ts) applied to whole statements instead of one request:
//   an identity Allow grants the action on its resources when its conditions hold;
//   a Deny (identity or boundary) whose resources cover the grant's and whose conditions are
//     all known to hold removes it; one that covers it only under conditions it cannot decide is
//     reported as "denied when …"; one that meets part of its resources as "denied on …";
//   with a boundary, the grant stands only where a boundary Allow meets it (reported when that
//     is partial or conditional), and is gone where none does.
// Conditions on what is known about the principal before any request (its ARN, id, name, tags:
// `decided`) are evaluated by the evaluator's own condition code; the rest are reported, never
// guessed. Actions are matched with the evaluator's compiled globs (statement-actions.ts).

import type { ConditionClause, PolicySource } from "./document.js";
import type { ConditionTrace, MatchedStatement } from "./evaluate.js";
import type { CompiledPolicySet, StatementIndex } from "./compile.js";
import { type CompiledCondition, conditionMatches, substitutedValues } from "./condition.js";
import type { ContextEntry } from "./request.js";
import { type ResourceScope, patternScope, resourceScope, scopeCovers, scopesDisjoint } from "./resource-scope.js";
import type { AccessLevel, ServiceReference } from "./service-reference.js";
import type { CompiledStatement } from "./statement.js";
import { matchesAction, referenceActions, statementActions, type StatementActions } from "./statement-actions.js";
import { summarizeByService, type ServiceSummary } from "./effective-actions-summary.js";

/** A statement as it bears on the principal's actions. */
export interface EffectiveStatement {
  /** The statement with its provenance; `conditions` traces the ones decided from the principal. */
  readonly statement: MatchedStatement;
  readonly resources: ResourceScope;
  /** Conditions only a request can decide (aws:SourceIp, s3:prefix, aws:CurrentTime, …), as written. */
  readonly conditions: readonly ConditionClause[];
}

export interface Denial extends EffectiveStatement {
  /** `all`: it denies on every resource of the grant (when its conditions hold); `some`: on part of them. */
  readonly scope: "all" | "some";
}

export interface EffectiveGrant extends EffectiveStatement {
  /** With a boundary that does not simply allow all of it: the boundary Allows it is confined to. */
  readonly boundary: readonly EffectiveStatement[];
  /** Denies that cut the grant conditionally or in part. */
  readonly denials: readonly Denial[];
  /** No condition, no boundary confinement, no denial: allowed on all its resources, always. */
  readonly unconditional: boolean;
}

export interface EffectiveAction {
  /** As AWS spells it (`s3:GetObject`). */
  readonly action: string;
  readonly service: string;
  readonly accessLevel: AccessLevel;
  readonly grants: readonly EffectiveGrant[];
  readonly unconditional: boolean;
}

export interface EffectiveActionsQuery {
  readonly services?: readonly string[];
  readonly accessLevels?: readonly AccessLevel[];
  /** Only grants that can apply to this resource (an ARN or an ARN pattern); relations are judged on it. */
  readonly resource?: string;
}

export interface PrincipalFacts {
  /** What is known about the principal before any request (principalContext without the time). */
  readonly context: ReadonlyMap<string, ContextEntry>;
  /** Whether a (lower-cased) key is decided by the principal alone, present or absent. */
  readonly decided: (lowerKey: string) => boolean;
}

export interface EffectiveActions {
  readonly actions: readonly EffectiveAction[];
  readonly summary: readonly ServiceSummary[];
}

/** One statement of the set with its provenance, prepared for this principal. */
interface Prepared {
  /** Unique within one computation (memo keys). */
  readonly id: number;
  readonly statement: CompiledStatement;
  readonly source: PolicySource;
  readonly actions: StatementActions;
  /** False when a decided condition fails (or an operator is unknown): it never applies. */
  readonly applies: boolean;
  readonly view: EffectiveStatement;
}

export function effectiveActions(set: CompiledPolicySet, reference: ServiceReference, principal: PrincipalFacts, query: EffectiveActionsQuery = {}): EffectiveActions {
  const ids = { next: 0 };
  const identity = statementsOf(set.identity, reference, principal, ids);
  const boundary = set.boundary === undefined ? undefined : statementsOf(set.boundary, reference, principal, ids);
  const filter = query.resource === undefined ? undefined : patternScope([query.resource]);
  const services = query.services === undefined ? undefined : new Set(query.services.map((s) => s.toLowerCase()));
  const levels = query.accessLevels === undefined ? undefined : new Set(query.accessLevels);

  // Most actions meet the same few statements (every s3:Get* the same Allow and Deny): a grant is
  // computed once per combination of statements and shared by the actions that have it.
  const grantMemo = new Map<string, EffectiveGrant | null>();
  const out: EffectiveAction[] = [];
  const { info } = referenceActions(reference);
  for (const lower of candidateActions(identity, reference)) {
    const { service, action, definition } = info.get(lower)!;
    if (services !== undefined && !services.has(service)) continue;
    if (levels !== undefined && !levels.has(definition.accessLevel)) continue;
    const own = split(identity, lower);
    if (own.allows.length === 0) continue;
    const bounded = boundary === undefined ? undefined : split(boundary, lower);
    const denies = bounded === undefined || bounded.denies.length === 0 ? own.denies : own.denies.length === 0 ? bounded.denies : [...own.denies, ...bounded.denies];
    const bounds = bounded?.allows;
    const others = `${idsOf(denies)}|${bounds === undefined ? "-" : idsOf(bounds)}`;
    const grants: EffectiveGrant[] = [];
    for (const allow of own.allows) {
      const key = `${allow.id}|${others}`;
      let grant = grantMemo.get(key);
      if (grant === undefined) grantMemo.set(key, (grant = grantOf(allow, denies, bounds, filter) ?? null));
      if (grant !== null) grants.push(grant);
    }
    if (grants.length === 0) continue;
    out.push({ action, service, accessLevel: definition.accessLevel, grants, unconditional: grants.some((g) => g.unconditional) });
  }
  return { actions: out, summary: summarizeByService(reference, out) };
}

/** The grant an Allow makes once the denies and the boundary are applied; undefined when nothing is left. */
function grantOf(allow: Prepared, denies: readonly Prepared[], bounds: readonly Prepared[] | undefined, filter: ResourceScope | undefined): EffectiveGrant | undefined {
  let scope = allow.view.resources;
  if (filter !== undefined) {
    if (scopesDisjoint(scope, filter)) return undefined;
    if (scopeCovers(scope, filter)) scope = filter; // judge the denies and the boundary on the resource asked about
  }
  const denials: Denial[] = [];
  for (const d of denies) {
    if (scopesDisjoint(d.view.resources, scope)) continue;
    const covers = scopeCovers(d.view.resources, scope);
    if (covers && d.view.conditions.length === 0) return undefined; // explicit deny, always
    denials.push({ ...d.view, scope: covers ? "all" : "some" });
  }
  let boundary: EffectiveStatement[] = [];
  if (bounds !== undefined) {
    const meeting = bounds.filter((b) => !scopesDisjoint(b.view.resources, scope));
    if (meeting.length === 0) return undefined; // the boundary does not allow it
    if (!meeting.some((b) => b.view.conditions.length === 0 && scopeCovers(b.view.resources, scope))) boundary = meeting.map((b) => b.view);
  }
  const unconditional = allow.view.conditions.length === 0 && boundary.length === 0 && denials.length === 0;
  return { ...allow.view, boundary, denials, unconditional };
}

/** Every action some identity Allow may grant (the union of the Allows' expansions), sorted. */
function candidateActions(identity: PreparedSet, reference: ServiceReference): Iterable<string> {
  const found = new Set<string>();
  for (const { p } of identity.wideAlways) {
    if (p.statement.effect !== "Allow") continue;
    if (p.actions.all || p.actions.negated) return referenceActions(reference).sorted;
    for (const a of p.actions.listed) found.add(a);
  }
  for (const [action, entries] of identity.byAction) if (entries.some((r) => r.p.statement.effect === "Allow")) found.add(action);
  return [...found].sort();
}

const NONE: readonly Prepared[] = [];

function idsOf(list: readonly Prepared[]): string {
  let key = "";
  for (const p of list) key += `${p.id},`;
  return key;
}

/** The set's statements whose Action matches the action, Allows and Denies apart, each in document order. */
function split(set: PreparedSet, lower: string): { allows: readonly Prepared[]; denies: readonly Prepared[] } {
  const service = lower.slice(0, lower.indexOf(":"));
  const listed = set.byAction.get(lower) ?? [];
  const wide = set.wideByService.get(service) ?? set.wideAlways;
  let allows: Prepared[] | undefined;
  let denies: Prepared[] | undefined;
  // Both lists are in the order of the action's bucket (document order): merge them.
  let i = 0;
  let j = 0;
  while (i < listed.length || j < wide.length) {
    const fromListed = j >= wide.length || (i < listed.length && listed[i]!.pos < wide[j]!.pos);
    const r = fromListed ? listed[i++]! : wide[j++]!;
    if (!fromListed && !matchesAction(r.p.actions, lower)) continue;
    if (r.p.statement.effect === "Allow") (allows ??= []).push(r.p);
    else (denies ??= []).push(r.p);
  }
  return { allows: allows ?? NONE, denies: denies ?? NONE };
}

interface Ranked {
  readonly p: Prepared;
  /** Position in the bucket of the action's service: document order. */
  readonly pos: number;
}

interface PreparedSet {
  /** Statements whose Action lists name the action, per lower-cased action. */
  readonly byAction: ReadonlyMap<string, readonly Ranked[]>;
  /** Statements checked for every action (NotAction, a wildcard service: compile.ts's always-checked ones), per service bucket. */
  readonly wideByService: ReadonlyMap<string, readonly Ranked[]>;
  /** The same for a service no statement names (the index's always-checked bucket). */
  readonly wideAlways: readonly Ranked[];
}

/** The index's statements, each once per provenance, that can ever apply to this principal. */
function statementsOf(index: StatementIndex, reference: ServiceReference, principal: PrincipalFacts, ids: { next: number }): PreparedSet {
  const prepared = new Map<CompiledStatement, Map<PolicySource, Prepared>>();
  const once = (statement: CompiledStatement, source: PolicySource): Prepared => {
    let bySource = prepared.get(statement);
    if (bySource === undefined) prepared.set(statement, (bySource = new Map()));
    let p = bySource.get(source);
    if (p === undefined) bySource.set(source, (p = prepare(ids.next++, statement, source, reference, principal)));
    return p;
  };
  const byAction = new Map<string, Ranked[]>();
  const wideByService = new Map<string, Ranked[]>();
  const visit = (service: string | undefined, statements: readonly CompiledStatement[], sources: readonly PolicySource[]): Ranked[] => {
    const wide: Ranked[] = [];
    for (let pos = 0; pos < statements.length; pos++) {
      const p = once(statements[pos]!, sources[pos]!);
      if (!p.applies) continue;
      if (p.statement.services === null) wide.push({ p, pos });
      else if (service !== undefined) for (const a of p.actions.perService.get(service) ?? []) byAction.get(a)?.push({ p, pos }) ?? byAction.set(a, [{ p, pos }]);
    }
    return wide;
  };
  for (const [service, bucket] of index.byService) wideByService.set(service, visit(service, bucket.statements, bucket.sources));
  const wideAlways = visit(undefined, index.always.statements, index.always.sources);
  return { byAction, wideByService, wideAlways };
}

function prepare(id: number, statement: CompiledStatement, source: PolicySource, reference: ServiceReference, principal: PrincipalFacts): Prepared {
  const actions = statementActions(reference, statement);
  const resources = resourceScope(statement, principal.context, principal.decided);
  const known = (c: CompiledCondition) => principal.decided(c.lowerKey) && c.variableKeys.every((k) => principal.decided(k.toLowerCase()));
  let applies = resources !== undefined && statement.conditions.every((c) => c.parsed.kind !== "unknown");
  const traces: ConditionTrace[] = [];
  const conditions: ConditionClause[] = [];
  for (const c of statement.conditions) {
    if (!applies) break;
    if (!known(c)) {
      conditions.push({ operator: c.operator, key: c.key, values: c.values.map((v) => v.source) });
      continue;
    }
    const entry = principal.context.get(c.lowerKey);
    if (!conditionMatches(c, principal.context)) applies = false;
    traces.push({ operator: c.operator, key: c.key, policyValues: substitutedValues(c, principal.context), contextValues: entry === undefined ? null : entry.values.slice(), matched: true });
  }
  const { statementIndex, sid, effect } = statement;
  const matched: MatchedStatement = sid === undefined ? { source, statementIndex, effect, conditions: traces } : { source, statementIndex, sid, effect, conditions: traces };
  const view = { statement: matched, resources: resources ?? { not: false, globs: [], patterns: [], approximate: false }, conditions };
  return { id, statement, source, actions, applies, view };
}


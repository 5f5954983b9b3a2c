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

import { actionIndex } from "./action-index.js";
import type { ConditionClause, PolicySource } from "./document.js";
import type { ConditionTrace, MatchedStatement } from "./evaluate.js";
import type { CompiledPolicySet, StatementIndex } from "./compile.js";
import { type CompiledCondition, conditionMatches, substitutedValues } from "./condition.js";
import type { ContextEntry } from "./request.js";
import { type ResourceScope, patternScope, resourceScope, scopeCovers, scopesDisjoint } from "./resource-scope.js";
import type { AccessLevel, ServiceReference } from "./service-reference.js";
import type { CompiledStatement } from "./statement.js";
import { matchesAction, statementActions, type StatementActions } from "./statement-actions.js";
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
  /** Its position in the set's statements (document order); unique within one computation (memo keys). */
  readonly id: number;
  readonly statement: CompiledStatement;
  readonly source: PolicySource;
  readonly actions: StatementActions;
  /** False when a decided condition fails (or an operator is unknown): it never applies. */
  readonly applies: boolean;
  readonly view: EffectiveStatement;
}

export function effectiveActions(set: CompiledPolicySet, reference: ServiceReference, principal: PrincipalFacts, query: EffectiveActionsQuery = {}): EffectiveActions {
  const index = actionIndex(reference);
  const identity = statementsOf(set.identity, reference, principal, 0);
  const boundary = set.boundary === undefined ? undefined : statementsOf(set.boundary, reference, principal, set.identity.all.statements.length);
  const filter = query.resource === undefined ? undefined : patternScope([query.resource]);
  const services = query.services === undefined ? undefined : new Set(query.services.map((s) => s.toLowerCase()));
  const levels = query.accessLevels === undefined ? undefined : new Set(query.accessLevels);

  // Most actions meet the same few statements (every s3:Get* the same Allow and Deny): a grant is
  // computed once per combination of statements and shared by the actions that have it.
  const grantMemo = new Map<string, EffectiveGrant | null>();
  const out: EffectiveAction[] = [];
  const candidates = candidateActions(identity, index.sorted.length);
  for (let id = 0; id < candidates.length; id++) {
    if (candidates[id] === 0) continue;
    const service = index.service[id]!;
    const definition = index.definition[id]!;
    if (services !== undefined && !services.has(service)) continue;
    if (levels !== undefined && !levels.has(definition.accessLevel)) continue;
    const own = split(identity, id);
    if (own.allows.length === 0) continue;
    const bounded = boundary === undefined ? undefined : split(boundary, id);
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
    out.push({ action: index.spelled[id]!, service, accessLevel: definition.accessLevel, grants, unconditional: grants.some((g) => g.unconditional) });
  }
  // The summary only when a caller reads it (a query for the actions alone does not pay for it).
  let summary: readonly ServiceSummary[] | undefined;
  return {
    actions: out,
    get summary() {
      return (summary ??= summarizeByService(reference, out));
    },
  };
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

/** Per action id, 1 when some identity Allow may grant it (the union of the Allows' expansions). */
function candidateActions(identity: PreparedSet, actionCount: number): Uint8Array {
  const marked = new Uint8Array(actionCount);
  for (const p of identity.wide) {
    if (p.statement.effect === "Allow" && (p.actions.all || p.actions.negated)) return marked.fill(1);
  }
  for (const p of identity.listed) if (p.statement.effect === "Allow") for (const id of p.actions.ids) marked[id] = 1;
  return marked;
}

const NONE: readonly Prepared[] = [];

function idsOf(list: readonly Prepared[]): string {
  let key = "";
  for (const p of list) key += `${p.id},`;
  return key;
}

/** The set's statements whose Action matches the action, Allows and Denies apart, each in document order. */
function split(set: PreparedSet, id: number): { allows: readonly Prepared[]; denies: readonly Prepared[] } {
  const { byAction, starts, wide } = set;
  let allows: Prepared[] | undefined;
  let denies: Prepared[] | undefined;
  // Both lists are in document order: merge them.
  let i = starts[id]!;
  const end = starts[id + 1]!;
  let j = 0;
  while (i < end || j < wide.length) {
    const fromListed = j >= wide.length || (i < end && byAction[i]!.id < wide[j]!.id);
    const p = fromListed ? byAction[i++]! : wide[j++]!;
    if (!fromListed && !matchesAction(p.actions, id)) continue;
    if (p.statement.effect === "Allow") (allows ??= []).push(p);
    else (denies ??= []).push(p);
  }
  return { allows: allows ?? NONE, denies: denies ?? NONE };
}

interface PreparedSet {
  /** Applicable statements with an Action list (not `*`, not NotAction), in document order. */
  readonly listed: readonly Prepared[];
  /** Per action id, the listed statements naming it: `byAction[starts[id] .. starts[id + 1])`, in document order. */
  readonly starts: Int32Array;
  readonly byAction: readonly Prepared[];
  /** Applicable statements checked for every action (Action `*`, NotAction), in document order. */
  readonly wide: readonly Prepared[];
}

/** The index's statements, each once per provenance, that can ever apply to this principal; ids from `firstId` on. */
function statementsOf(index: StatementIndex, reference: ServiceReference, principal: PrincipalFacts, firstId: number): PreparedSet {
  const { statements, sources } = index.all;
  const listed: Prepared[] = [];
  const wide: Prepared[] = [];
  for (let pos = 0; pos < statements.length; pos++) {
    const p = prepare(firstId + pos, statements[pos]!, sources[pos]!, reference, principal);
    if (!p.applies) continue;
    if (p.actions.all || p.actions.negated) wide.push(p);
    else if (p.actions.ids.length > 0) listed.push(p);
  }
  // Counting sort of (action, statement) pairs by action: one pass to count, one to place.
  const actionCount = actionIndex(reference).sorted.length;
  const starts = new Int32Array(actionCount + 1);
  for (const p of listed) for (const id of p.actions.ids) starts[id + 1]!++;
  for (let id = 0; id < actionCount; id++) starts[id + 1]! += starts[id]!;
  const byAction = new Array<Prepared>(starts[actionCount]!);
  const next = starts.slice(0, actionCount);
  for (const p of listed) for (const id of p.actions.ids) byAction[next[id]!++] = p;
  return { listed, starts, byAction, wide };
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


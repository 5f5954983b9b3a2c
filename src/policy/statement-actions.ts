// A compiled statement's Action / NotAction as the concrete actions of the service reference it
// names: matched with the evaluator's own globs (statement.ts's compiled ActionSet), so the
// expansion agrees with statementMatchesAction for every action of the reference. Remembered per
// compiled statement (documents are compiled once and shared by every holder), so a policy held
// by a hundred principals is expanded once.

import type { ActionDefinition, ServiceReference } from "./service-reference.js";
import type { CompiledStatement } from "./statement.js";
import { globMatches, patternService } from "./wildcard.js";

export interface StatementActions {
  /** Every action of the reference (Action `*`). */
  readonly all: boolean;
  /** Lower-cased `service:action`s the Action (or NotAction) list names, reference actions only. */
  readonly listed: ReadonlySet<string>;
  /** The same, grouped by service prefix. */
  readonly perService: ReadonlyMap<string, readonly string[]>;
  /** NotAction: the statement matches every action *not* listed. */
  readonly negated: boolean;
}

const NONE: StatementActions = { all: false, listed: new Set(), perService: new Map(), negated: false };

/** Per reference, per compiled statement. */
const remembered = new WeakMap<ServiceReference, WeakMap<CompiledStatement, StatementActions>>();

export interface LowerActions {
  /** Per service, its lower-cased `service:action`s. */
  readonly byService: ReadonlyMap<string, readonly string[]>;
  readonly all: ReadonlySet<string>;
  /** Every lower-cased action, sorted. */
  readonly sorted: readonly string[];
  /** Per lower-cased action: its service, AWS's spelling (`s3:GetObject`) and definition. */
  readonly info: ReadonlyMap<string, { readonly service: string; readonly action: string; readonly definition: ActionDefinition }>;
}

/** The reference's actions lower-cased (the walk's raw material), once per reference. */
const lowerActions = new WeakMap<ServiceReference, LowerActions>();

export function referenceActions(reference: ServiceReference): LowerActions {
  let known = lowerActions.get(reference);
  if (known === undefined) {
    const byService = new Map([...reference.actions].map(([service, actions]) => [service, actions.map((a) => `${service}:${a.toLowerCase()}`)] as const));
    const info = new Map<string, { service: string; action: string; definition: ActionDefinition }>();
    for (const [service, definitionOf] of reference.services) {
      for (const [lower, definition] of definitionOf.actions) info.set(`${service}:${lower}`, { service, action: `${service}:${definition.name}`, definition });
    }
    const all = new Set([...byService.values()].flat());
    known = { byService, all, sorted: [...all].sort(), info };
    lowerActions.set(reference, known);
  }
  return known;
}

export function statementActions(reference: ServiceReference, s: CompiledStatement): StatementActions {
  let memo = remembered.get(reference);
  if (memo === undefined) remembered.set(reference, (memo = new WeakMap()));
  let known = memo.get(s);
  if (known === undefined) {
    known = expand(reference, s);
    memo.set(s, known);
  }
  return known;
}

/** Does the statement's Action/NotAction match this (lower-cased, reference) action? */
export function matchesAction(actions: StatementActions, lowerAction: string): boolean {
  return (actions.all || actions.listed.has(lowerAction)) !== actions.negated;
}

function expand(reference: ServiceReference, s: CompiledStatement): StatementActions {
  if (s.actions === null) return NONE;
  const negated = s.notAction;
  if (s.actions.any) return { all: true, listed: new Set(), perService: new Map(), negated };
  const { byService, all } = referenceActions(reference);
  const listed = new Set<string>();
  for (const action of s.actions.exact) if (all.has(action)) listed.add(action);
  for (const glob of s.actions.globs) {
    const service = patternService(glob.text);
    const services = service === null ? [...byService.keys()] : [service];
    for (const name of services) for (const action of byService.get(name) ?? []) if (globMatches(glob, action)) listed.add(action);
  }
  const perService = new Map<string, string[]>();
  for (const action of listed) {
    const service = action.slice(0, action.indexOf(":"));
    perService.get(service)?.push(action) ?? perService.set(service, [action]);
  }
  return { all: false, listed, perService, negated };
}

// A compiled statement's Action / NotAction as the concrete actions of the service reference it
// names, as ids of the reference's action index (action-index.ts): matched with the evaluator's
// own globs (statement.ts's compiled ActionSet), so the expansion agrees with
// statementMatchesAction for every action of the reference. A glob is matched only inside the
// range of its literal head (`s3:get` of `s3:Get*`: a binary search, and nothing to match for a
// trailing `*`). Remembered per compiled statement (documents are compiled once and shared by
// every holder), so a policy held by a hundred principals is expanded once.

import { type ActionIndex, actionIndex, hasId, prefixRange } from "./action-index.js";
import type { ServiceReference } from "./service-reference.js";
import type { CompiledStatement } from "./statement.js";
import { globMatches } from "./wildcard.js";

export interface StatementActions {
  /** Every action of the reference (Action `*`). */
  readonly all: boolean;
  /** Ids (ascending, in the reference's action index) of the actions the Action (or NotAction) list names. */
  readonly ids: Int32Array;
  /** NotAction: the statement matches every action *not* listed. */
  readonly negated: boolean;
}

const NO_IDS = new Int32Array(0);
const NONE: StatementActions = { all: false, ids: NO_IDS, negated: false };

/** Per reference, per compiled statement. */
const remembered = new WeakMap<ServiceReference, WeakMap<CompiledStatement, StatementActions>>();

export function statementActions(reference: ServiceReference, s: CompiledStatement): StatementActions {
  let memo = remembered.get(reference);
  if (memo === undefined) remembered.set(reference, (memo = new WeakMap()));
  let known = memo.get(s);
  if (known === undefined) {
    known = expand(actionIndex(reference), s);
    memo.set(s, known);
  }
  return known;
}

/** Does the statement's Action/NotAction match the action (by id)? */
export function matchesAction(actions: StatementActions, id: number): boolean {
  return (actions.all || hasId(actions.ids, id)) !== actions.negated;
}

/** The lower-cased actions a statement's list names (for tests and explanations). */
export function listedActions(reference: ServiceReference, actions: StatementActions): string[] {
  const { sorted } = actionIndex(reference);
  return Array.from(actions.ids, (id) => sorted[id]!);
}

function expand(index: ActionIndex, s: CompiledStatement): StatementActions {
  if (s.actions === null) return NONE;
  const negated = s.notAction;
  if (s.actions.any) return { all: true, ids: NO_IDS, negated };
  const found: number[] = [];
  for (const action of s.actions.exact) {
    const id = index.idOf.get(action);
    if (id !== undefined) found.push(id);
  }
  for (const glob of s.actions.globs) {
    const [from, to] = prefixRange(index, glob.prefix);
    if (glob.shape === "prefix") for (let id = from; id < to; id++) found.push(id);
    else for (let id = from; id < to; id++) if (globMatches(glob, index.sorted[id]!)) found.push(id);
  }
  return { all: false, ids: ascendingUnique(found), negated };
}

function ascendingUnique(ids: number[]): Int32Array {
  const sorted = Int32Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  return n === sorted.length ? sorted : sorted.slice(0, n);
}

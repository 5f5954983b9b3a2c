// The service reference's actions as integer ids, for walks over all ~22,000 of them: every
// lower-cased `service:action` sorted, an action's id being its position. Sorted, a glob's
// literal head (`s3:get` of `s3:Get*Tagging`) is one contiguous range found by binary search,
// and a service's actions are the range of `service:`. Built once per reference (the catalogue
// builds it as it loads the reference, so no principal's first question pays for it).

import type { AccessLevel, ActionDefinition, ServiceReference } from "./service-reference.js";

export interface ActionIndex {
  /** Every lower-cased `service:action`, sorted (code-unit order, as Array#sort); an action's id is its position. */
  readonly sorted: readonly string[];
  readonly idOf: ReadonlyMap<string, number>;
  /** Per id: the service prefix, AWS's spelling (`s3:GetObject`) and the reference's definition. */
  readonly service: readonly string[];
  readonly spelled: readonly string[];
  readonly definition: readonly ActionDefinition[];
  /** Per service: how many actions it has of each access level. */
  readonly levelTotals: ReadonlyMap<string, ReadonlyMap<AccessLevel, number>>;
}

const built = new WeakMap<ServiceReference, ActionIndex>();

export function actionIndex(reference: ServiceReference): ActionIndex {
  let index = built.get(reference);
  if (index === undefined) built.set(reference, (index = build(reference)));
  return index;
}

function build(reference: ServiceReference): ActionIndex {
  const entries: { lower: string; service: string; definition: ActionDefinition }[] = [];
  const levelTotals = new Map<string, Map<AccessLevel, number>>();
  for (const [service, definitionOf] of reference.services) {
    const counts = new Map<AccessLevel, number>();
    for (const [lower, definition] of definitionOf.actions) {
      entries.push({ lower: `${service}:${lower}`, service, definition });
      counts.set(definition.accessLevel, (counts.get(definition.accessLevel) ?? 0) + 1);
    }
    levelTotals.set(service, counts);
  }
  entries.sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
  const sorted = entries.map((e) => e.lower);
  return {
    sorted,
    idOf: new Map(sorted.map((a, id) => [a, id])),
    service: entries.map((e) => e.service),
    spelled: entries.map((e) => `${e.service}:${e.definition.name}`),
    definition: entries.map((e) => e.definition),
    levelTotals,
  };
}

/** The ids [from, to) of the actions starting with `prefix` ("" = all). */
export function prefixRange(index: ActionIndex, prefix: string): readonly [number, number] {
  const { sorted } = index;
  if (prefix === "") return [0, sorted.length];
  const from = lowerBound(sorted, prefix);
  // Every string starting with the prefix sorts before prefix + U+FFFF (action names are ASCII).
  return [from, lowerBound(sorted, `${prefix}\uffff`, from)];
}

function lowerBound(sorted: readonly string[], key: string, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Is the id in the ascending list? */
export function hasId(ids: Int32Array, id: number): boolean {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

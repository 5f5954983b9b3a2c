import { nameKey } from "../domain/shared/names.js";

/** A user or group that keeps its AWS id and changes name and/or path between two snapshots. */
export interface Rename {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Set when the path changes too. */
  readonly newPath?: string;
}

/** One UpdateUser / UpdateGroup: the name it has at that point, and the name (and path) it gets. */
export interface RenameStep {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly newPath?: string;
}

/**
 * Orders renames so that no step takes a name another user (or group) still holds at that point
 * — names are unique in the account ignoring case, and every UpdateUser is checked on the state
 * its predecessors left. A rename waits until its new name is free (a → b after b → c); a cycle
 * (alice ↔ bob, the same ids with the names swapped) is broken by moving one member through a
 * temporary name first, so history shows alice → import-swap-…, bob → alice, then → bob, all in the
 * one transaction and at the one snapshot time.
 *
 * `holders` are the names held after the import's deletions (id → current name): a rename to the
 * name of a deleted entity is free. Pure.
 */
export function orderRenames(renames: readonly Rename[], holders: ReadonlyMap<string, string>, maxNameLength: number): RenameStep[] {
  const nameOf = new Map(holders);
  const held = new Map<string, string>([...holders].map(([id, name]) => [nameKey(name), id]));
  const wanted = new Set(renames.map((r) => nameKey(r.to)));
  const pending = new Map(renames.map((r) => [r.id, r]));
  const steps: RenameStep[] = [];
  const move = (id: string, to: string, newPath?: string) => {
    const from = nameOf.get(id)!;
    held.delete(nameKey(from));
    held.set(nameKey(to), id);
    nameOf.set(id, to);
    steps.push({ id, from, to, ...(newPath !== undefined ? { newPath } : {}) });
  };
  while (pending.size > 0) {
    let moved = false;
    for (const r of pending.values()) {
      const holder = held.get(nameKey(r.to));
      if (holder !== undefined && holder !== r.id && pending.has(holder)) continue;
      // Free (or held by itself: a change of case or path only). A holder that is not being
      // renamed would mean two entities of one name in the file, which parsing refuses; the
      // step is still sent, so the decider would refuse it rather than this loop never ending.
      move(r.id, r.to, r.newPath);
      pending.delete(r.id);
      moved = true;
    }
    if (moved) continue;
    // Every rename left waits on another renamed one: follow who waits on whom to a cycle, and
    // let one of its members step aside to a name nobody holds or wants.
    let r = pending.values().next().value!;
    for (const seen = new Set<string>(); !seen.has(r.id); r = pending.get(held.get(nameKey(r.to))!)!) seen.add(r.id);
    move(r.id, temporaryName(r.id, held, wanted, maxNameLength));
  }
  return steps;
}

function temporaryName(id: string, held: ReadonlyMap<string, string>, wanted: ReadonlySet<string>, maxNameLength: number): string {
  for (let n = 0; ; n++) {
    const name = `import-swap-${id}${n === 0 ? "" : `-${n}`}`.slice(0, maxNameLength);
    if (!held.has(nameKey(name)) && !wanted.has(nameKey(name))) return name;
  }
}

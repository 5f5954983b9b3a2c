// The resources a set of Resource patterns tells apart. Two resources matched by exactly the
// same patterns are decided alike by every statement that holds them (Resource, NotResource),
// so one resource per "membership class" is enough for the evaluator to answer for all of
// them. The classes are found by a breadth-first walk of the product of the patterns' glob
// automata (shortest witness first): exact, not sampled, and bounded by a state budget.

const LITERAL = 0;
const STAR = 1;
const QMARK = 2;

/** A pattern as the walk sees it: characters and the positions that are wildcards. */
export interface WalkPattern {
  readonly text: string;
  readonly kinds: Uint8Array;
}

/** A Resource pattern without variables (`*` any run, `?` one character); case-sensitive. */
export function walkPattern(pattern: string): WalkPattern {
  const kinds = new Uint8Array(pattern.length);
  for (let i = 0; i < pattern.length; i++) kinds[i] = pattern[i] === "*" ? STAR : pattern[i] === "?" ? QMARK : LITERAL;
  return { text: pattern, kinds };
}

/** Pieces after variable substitution: plain text (wildcards active) or literal text. */
export function walkPieces(pieces: readonly (string | { readonly literal: string })[]): WalkPattern {
  let text = "";
  const kinds: number[] = [];
  for (const p of pieces) {
    const wild = typeof p === "string";
    const s = wild ? p : p.literal;
    for (const c of s) {
      text += c;
      kinds.push(wild && c === "*" ? STAR : wild && c === "?" ? QMARK : LITERAL);
    }
  }
  return { text, kinds: Uint8Array.from(kinds) };
}

export interface ResourceClass {
  /** The shortest resource of the class. */
  readonly witness: string;
  /** Per pattern (same order as given): whether it matches the witness. */
  readonly matches: readonly boolean[];
}

export interface ClassWalk {
  readonly classes: readonly ResourceClass[];
  /** False when the state budget ran out before the walk was complete. */
  readonly complete: boolean;
}

/** Characters that stand for "anything the patterns do not name", most readable first. */
const FRESH = "xyzqjkw0123456789XYZQJKW-_";

/**
 * Every membership class over `patterns` whose resources satisfy `wanted` (e.g. "some Allow
 * of the new policy holds it"), each with its shortest witness.
 */
export function resourceClasses(
  patterns: readonly WalkPattern[],
  wanted: (matches: readonly boolean[]) => boolean,
  budget = 20_000,
): ClassWalk {
  const alphabet = new Set<string>();
  for (const p of patterns) for (let i = 0; i < p.text.length; i++) if (p.kinds[i] === LITERAL) alphabet.add(p.text[i]!);
  const fresh = [...FRESH].find((c) => !alphabet.has(c)) ?? "\u00a7";

  const start = patterns.map((p) => closure(p, [0]));
  const seen = new Set<string>([key(start)]);
  const queue: { states: number[][]; text: string }[] = [{ states: start, text: "" }];
  const found = new Map<string, ResourceClass>();
  let visited = 0;
  for (let head = 0; head < queue.length; head++) {
    if (++visited > budget) return { classes: [...found.values()], complete: false };
    const { states, text } = queue[head]!;
    const matches = states.map((s, i) => s.includes(patterns[i]!.text.length));
    const signature = matches.map((m) => (m ? "1" : "0")).join("");
    if (!found.has(signature) && wanted(matches)) found.set(signature, { witness: text, matches });
    // Only letters some pattern can read literally here lead anywhere new; every other letter
    // behaves like the fresh one (only `*` and `?` take it).
    const here = new Set<string>([fresh]);
    states.forEach((st, i) => {
      const p = patterns[i]!;
      for (const pos of st) if (pos < p.text.length && p.kinds[pos] === LITERAL) here.add(p.text[pos]!);
    });
    for (const c of here) {
      const next = patterns.map((p, i) => step(p, states[i]!, c));
      const k = key(next);
      if (seen.has(k)) continue;
      seen.add(k);
      queue.push({ states: next, text: text + c });
    }
  }
  return { classes: [...found.values()], complete: true };
}

function key(states: readonly number[][]): string {
  return states.map((s) => s.join(",")).join("|");
}

/** Positions reachable without reading a character (a `*` may match nothing). */
function closure(p: WalkPattern, positions: readonly number[]): number[] {
  const out = new Set<number>();
  for (let i of positions) {
    out.add(i);
    while (i < p.text.length && p.kinds[i] === STAR) out.add(++i);
  }
  return [...out].sort((a, b) => a - b);
}

function step(p: WalkPattern, positions: readonly number[], c: string): number[] {
  const next: number[] = [];
  for (const i of positions) {
    if (i >= p.text.length) continue;
    const k = p.kinds[i];
    if (k === STAR) next.push(i);
    else if (k === QMARK || p.text[i] === c) next.push(i + 1);
  }
  return next.length === 0 ? next : closure(p, next);
}

/** Do two patterns match a common string? (Glob intersection, O(length × length).) */
export function globsIntersect(a: WalkPattern, b: WalkPattern): boolean {
  const n = a.text.length;
  const m = b.text.length;
  const memo = new Uint8Array((n + 1) * (m + 1)); // 0 unknown, 1 false, 2 true
  const go = (i: number, j: number): boolean => {
    const k = i * (m + 1) + j;
    if (memo[k] !== 0) return memo[k] === 2;
    let r: boolean;
    if (i === n && j === m) r = true;
    else if (i < n && a.kinds[i] === STAR) r = go(i + 1, j) || (j < m && go(i, j + 1));
    else if (j < m && b.kinds[j] === STAR) r = go(i, j + 1) || (i < n && go(i + 1, j));
    else if (i === n || j === m) r = false;
    else r = (a.kinds[i] === QMARK || b.kinds[j] === QMARK || a.text[i] === b.text[j]) && go(i + 1, j + 1);
    memo[k] = r ? 2 : 1;
    return r;
  };
  return go(0, 0);
}

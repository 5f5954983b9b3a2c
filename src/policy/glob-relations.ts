// How two wildcard patterns (wildcard.ts's Globs) relate, without a concrete subject: whether
// every string one matches the other matches too (covers), and whether no string matches both
// (disjoint). Used to say what a Deny or a boundary does to an Allow's resources. Both answers
// are sound, not complete: `true` is certain; `false` means "not proven" and callers report the
// overlap rather than guess (a Deny that is not proven to cover an Allow is reported as cutting
// part of it, never as cutting all of it).

import { type Glob, globMatches } from "./wildcard.js";

const LITERAL = 0;
const STAR = 1;
const QMARK = 2;

/**
 * Every string `inner` matches, `outer` matches. Matches outer's tokens against inner's, inner's
 * wildcards as symbols: a literal must meet the same literal, outer's `?` one token that is a
 * literal or a `?`, outer's `*` any run of tokens (inner's `*` only ever inside one of outer's).
 */
export function globCovers(outer: Glob, inner: Glob): boolean {
  if (outer.shape === "any") return true;
  if (outer.shape === "exact") return inner.shape === "exact" && outer.text === inner.text;
  if (outer.shape === "prefix" && !inner.text.startsWith(outer.prefix)) return false;
  const p = outer.kinds;
  const q = inner.kinds;
  // reach[j]: outer's first i tokens can cover inner's first j tokens.
  let reach = new Uint8Array(q.length + 1);
  reach[0] = 1;
  for (let i = 0; i < p.length; i++) {
    const next = new Uint8Array(q.length + 1);
    const k = p[i];
    if (k === STAR) {
      let any = 0;
      for (let j = 0; j <= q.length; j++) {
        any |= reach[j]!;
        next[j] = any;
      }
    } else {
      for (let j = 0; j < q.length; j++) {
        if (!reach[j]) continue;
        const qk = q[j];
        const ok = k === QMARK ? qk !== STAR : qk === LITERAL && outer.text.charCodeAt(i) === inner.text.charCodeAt(j);
        if (ok) next[j + 1] = 1;
      }
    }
    reach = next;
  }
  return reach[q.length] === 1;
}

/** No string matches both: one is a literal the other does not match, or their literal beginnings or endings differ. */
export function globsDisjoint(a: Glob, b: Glob): boolean {
  if (a.shape === "exact") return !globMatches(b, a.text);
  if (b.shape === "exact") return !globMatches(a, b.text);
  const lead = (g: Glob) => literalRun(g, 0, 1);
  const tail = (g: Glob) => literalRun(g, g.text.length - 1, -1);
  const [la, lb] = [lead(a), lead(b)];
  const n = Math.min(la.length, lb.length);
  if (la.slice(0, n) !== lb.slice(0, n)) return true;
  const [ta, tb] = [tail(a), tail(b)];
  const m = Math.min(ta.length, tb.length);
  return ta.slice(ta.length - m) !== tb.slice(tb.length - m);
}

/** The literal characters from `start` walking by `step` up to the first wildcard, in text order. */
function literalRun(g: Glob, start: number, step: 1 | -1): string {
  let i = start;
  while (i >= 0 && i < g.text.length && g.kinds[i] === LITERAL) i += step;
  return step === 1 ? g.text.slice(0, i) : g.text.slice(i + 1);
}

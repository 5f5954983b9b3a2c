// The request contexts that tell a set of conditions apart. Each condition compares one key
// with a few policy values, so its outcome only changes at those values: for every key the
// candidates are "absent", each policy value and its neighbours (one below and one above for
// numbers and dates, the first and last address of a CIDR block and those just outside it, a
// Like pattern's shortest match and one with its wildcards filled), the other Boolean, and two
// values the policies never name (equal to each other only through a variable). Every
// combination of candidates is one context. This covers every outcome of every operator over
// literal values; with policy variables it covers equal and unequal values, not every text.

import { type CompiledCondition } from "../condition.js";
import { parseDate } from "../conditions/date.js";
import { parseCidr } from "../conditions/ip.js";
import { parseNumber } from "../conditions/numeric.js";
import type { ContextEntry } from "../request.js";

/** Values no policy names (characters outside every pattern's alphabet). */
export const OTHER_VALUE = "\u00a7other";
export const ANOTHER_VALUE = "\u00a7another";

export interface ContextSpace {
  /** Lower-cased key → the key as written, and its candidate value lists ([] = absent). */
  readonly keys: ReadonlyMap<string, { readonly key: string; readonly candidates: readonly (readonly string[])[] }>;
}

type Family = "string" | "like" | "ignoreCase" | "numeric" | "date" | "bool" | "ip" | "binary" | "null";

function family(c: CompiledCondition): Family | undefined {
  if (c.parsed.kind === "null") return "null";
  if (c.parsed.kind !== "compare") return undefined;
  const name = c.operator.toLowerCase().replace(/^for(all|any)values?:/, "").replace(/ifexists$/, "");
  if (name.startsWith("string")) return name.includes("like") ? "like" : name.includes("ignorecase") ? "ignoreCase" : "string";
  if (name.startsWith("arn")) return "like";
  if (name.startsWith("numeric")) return "numeric";
  if (name.startsWith("date")) return "date";
  if (name === "bool") return "bool";
  if (name.endsWith("ipaddress")) return "ip";
  if (name === "binaryequals") return "binary";
  return undefined;
}

interface KeyFacts {
  key: string;
  values: Set<string>;
  numbers: number[];
  dates: number[];
  multi: boolean;
  generic: boolean;
}

/** The candidate contexts for the conditions (and variables) of some statements. */
export function contextSpace(conditions: readonly CompiledCondition[], variableKeys: readonly string[]): ContextSpace {
  const facts = new Map<string, KeyFacts>();
  const factsFor = (key: string): KeyFacts => {
    const lower = key.toLowerCase();
    let f = facts.get(lower);
    if (f === undefined) facts.set(lower, (f = { key, values: new Set(), numbers: [], dates: [], multi: false, generic: false }));
    return f;
  };
  for (const k of variableKeys) factsFor(k).generic = true;
  for (const c of conditions) {
    const f = factsFor(c.key);
    for (const k of c.variableKeys) factsFor(k).generic = true;
    if (c.parsed.kind === "compare" && c.parsed.set !== "none") f.multi = true;
    const fam = family(c);
    const literals = c.values.filter((v) => v.template === null).map((v) => v.source);
    if (c.values.some((v) => v.template !== null)) f.generic = true;
    switch (fam) {
      case "string":
      case "binary":
        f.generic = true;
        literals.forEach((v) => f.values.add(v));
        break;
      case "ignoreCase":
        f.generic = true;
        for (const v of literals) {
          f.values.add(v);
          f.values.add(v.toUpperCase());
          f.values.add(v.toLowerCase());
        }
        break;
      case "like":
        f.generic = true;
        for (const v of literals) {
          f.values.add(v.replace(/\*/g, "").replace(/\?/g, "x"));
          f.values.add(v.replace(/[*?]/g, "\u00a7"));
        }
        break;
      case "numeric":
        literals.forEach((v) => {
          const n = parseNumber(v);
          if (n !== undefined) f.numbers.push(n);
        });
        break;
      case "date":
        literals.forEach((v) => {
          const d = parseDate(v);
          if (d !== undefined) f.dates.push(d);
        });
        break;
      case "bool":
        f.values.add("true");
        f.values.add("false");
        break;
      case "ip":
        literals.forEach((v) => cidrNeighbours(v).forEach((a) => f.values.add(a)));
        break;
      case "null":
        f.generic = true;
        break;
      case undefined:
        break;
    }
  }
  const keys = new Map<string, { key: string; candidates: string[][] }>();
  for (const [lower, f] of facts) {
    const singles = [...f.values, ...boundaries(f.numbers).map(String), ...boundaries(f.dates).map((ms) => new Date(ms).toISOString())];
    if (f.generic) singles.push(OTHER_VALUE, ANOTHER_VALUE);
    const unique = [...new Set(singles)];
    const candidates: string[][] = [[], ...unique.map((v) => [v])];
    // Multivalued keys: the set of all named values, with and without an unnamed one.
    if (f.multi && unique.length > 1) candidates.push(unique.filter((v) => v !== OTHER_VALUE && v !== ANOTHER_VALUE), unique.filter((v) => v !== ANOTHER_VALUE));
    keys.set(lower, { key: f.key, candidates });
  }
  return { keys };
}

/** Each value, one below and above the range, and the midpoints between neighbours. */
function boundaries(points: readonly number[]): number[] {
  if (points.length === 0) return [];
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const out = [sorted[0]! - 1, ...sorted, sorted.at(-1)! + 1];
  for (let i = 1; i < sorted.length; i++) out.push((sorted[i - 1]! + sorted[i]!) / 2);
  return out;
}

/** The first and last address of a block and the addresses just outside it. */
function cidrNeighbours(text: string): string[] {
  const cidr = parseCidr(text);
  if (cidr === null) return [];
  const bytes = cidr.network.length;
  const first = new Uint8Array(bytes);
  const last = new Uint8Array(bytes);
  for (let i = 0, bits = cidr.prefixLength; i < bytes; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    first[i] = cidr.network[i]! & mask;
    last[i] = first[i]! | (~mask & 0xff);
  }
  const out: Uint8Array[] = [first, last];
  const below = add(first, -1);
  const above = add(last, 1);
  if (below) out.push(below);
  if (above) out.push(above);
  return out.map((a) => (bytes === 4 ? [...a].join(".") : ipv6Text(a)));
}

function add(address: Uint8Array, delta: 1 | -1): Uint8Array | undefined {
  const out = Uint8Array.from(address);
  for (let i = out.length - 1; i >= 0; i--) {
    const v = out[i]! + delta;
    if (v >= 0 && v <= 0xff) {
      out[i] = v;
      return out;
    }
    out[i] = delta > 0 ? 0 : 0xff;
  }
  return undefined; // wrapped around: no address outside on that side
}

function ipv6Text(a: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < a.length; i += 2) groups.push(((a[i]! << 8) | a[i + 1]!).toString(16));
  return groups.join(":");
}

/**
 * Every context of the space (the product of the keys' candidates), or undefined when there
 * are more than `max`. `fixed` keys take the given values instead of their candidates.
 */
export function contexts(space: ContextSpace, fixed: ReadonlyMap<string, readonly string[]>, max: number): ReadonlyMap<string, ContextEntry>[] | undefined {
  const dims = [...space.keys].map(([lower, { key, candidates }]) => ({ lower, key, candidates: fixed.has(lower) ? [fixed.get(lower)!] : candidates }));
  let total = 1;
  for (const d of dims) {
    total *= d.candidates.length;
    if (total > max) return undefined;
  }
  const out: Map<string, ContextEntry>[] = [];
  const build = (i: number, acc: Map<string, ContextEntry>): void => {
    if (i === dims.length) {
      out.push(new Map(acc));
      return;
    }
    const d = dims[i]!;
    for (const values of d.candidates) {
      if (values.length === 0) acc.delete(d.lower);
      else acc.set(d.lower, { key: d.key, type: values.length > 1 ? "stringList" : "string", values });
      build(i + 1, acc);
    }
    acc.delete(d.lower);
  };
  build(0, new Map());
  // Fixed keys outside the space (resource variables) are part of every context.
  for (const [lower, values] of fixed) {
    if (space.keys.has(lower) || values.length === 0) continue;
    for (const c of out) c.set(lower, { key: lower, type: "string", values });
  }
  return out;
}

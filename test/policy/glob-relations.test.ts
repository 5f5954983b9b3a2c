import { describe, expect, it } from "vitest";
import { globCovers, globsDisjoint } from "../../src/policy/glob-relations.js";
import { compileGlob, globMatches } from "../../src/policy/wildcard.js";
import { prng } from "../support/prng.js";

// covers / disjoint are sound: whenever they say yes, no string contradicts them. Checked on
// seeded random patterns over a small alphabet against every string up to length 5 (the
// wildcard matcher is the judge), plus the cases effective actions rely on.

const alphabet = ["a", "b", "/"];
const strings: string[] = [""];
for (let len = 1; len <= 5; len++) for (const s of strings.filter((x) => x.length === len - 1)) for (const c of alphabet) strings.push(s + c);

describe("glob relations", () => {
  it("are sound on 2,000 random pattern pairs", () => {
    const r = prng(14);
    const pattern = () => Array.from({ length: 1 + r.int(4) }, () => r.pick([...alphabet, "*", "?"])).join("");
    let covered = 0;
    let disjoint = 0;
    for (let i = 0; i < 2000; i++) {
      const [p, q] = [compileGlob(pattern()), compileGlob(pattern())];
      if (globCovers(p, q)) {
        covered++;
        for (const s of strings) if (globMatches(q, s)) expect({ outer: p.text, inner: q.text, s, matched: globMatches(p, s) }).toMatchObject({ matched: true });
      }
      if (globsDisjoint(p, q)) {
        disjoint++;
        for (const s of strings) expect({ a: p.text, b: q.text, s, both: globMatches(p, s) && globMatches(q, s) }).toMatchObject({ both: false });
      }
    }
    // Not vacuous: both relations are found often.
    expect(covered).toBeGreaterThan(100);
    expect(disjoint).toBeGreaterThan(100);
  });

  it.each([
    ["*", "arn:aws:s3:::secret/*", true],
    ["arn:aws:s3:::secret/*", "arn:aws:s3:::secret/plans/*", true],
    ["arn:aws:s3:::secret/*", "*", false],
    ["arn:aws:s3:::b/x?", "arn:aws:s3:::b/x*", false],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x?", true],
  ])("%s covers %s: %s", (outer, inner, expected) => {
    expect(globCovers(compileGlob(outer), compileGlob(inner))).toBe(expected);
  });

  it.each([
    ["arn:aws:s3:::secret/*", "arn:aws:s3:::public/*", true],
    ["arn:aws:s3:::secret/*", "arn:aws:s3:::public/index.html", true],
    ["arn:aws:s3:::*/x", "arn:aws:s3:::b/*", false],
    ["*.txt", "*.csv", true],
  ])("%s and %s are disjoint: %s", (a, b, expected) => {
    expect(globsDisjoint(compileGlob(a), compileGlob(b))).toBe(expected);
  });
});

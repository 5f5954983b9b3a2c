import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionMatches,
  arnGlobMatches,
  compileGlob,
  globMatches,
  hasPrefix,
  patternService,
  resourceMatches,
  splitArn,
} from "../../src/policy/wildcard.js";

describe("wildcard matching", () => {
  it.each([
    ["*", "", true],
    ["*", "arn:aws:s3:::b/k", true],
    ["a*", "a", true],
    ["a*", "ba", false],
    ["*a", "bba", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "aXbYbZ", false],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y:z", true],
    ["**", "anything", true],
    ["a**?", "a", false],
    ["a**?", "ab", true],
  ])("%s against %s is %s", (pattern, subject, expected) => {
    expect(globMatches(compileGlob(pattern), subject)).toBe(expected);
  });

  it("literal pieces keep * and ? verbatim", () => {
    const glob = compileGlob(["b/", { literal: "*?" }, "/*"]);
    expect(globMatches(glob, "b/*?/x")).toBe(true);
    expect(globMatches(glob, "b/xy/x")).toBe(false);
  });

  it("actions ignore case, resources do not", () => {
    expect(actionMatches("IAM:Get*", "iam:getuser")).toBe(true);
    expect(resourceMatches("arn:aws:s3:::B/*", "arn:aws:s3:::b/k")).toBe(false);
  });

  it("finds the service an action pattern is confined to", () => {
    expect(patternService("IAM:Get*")).toBe("iam");
    expect(patternService("*")).toBeNull();
    expect(patternService("s3*:Get")).toBeNull();
    expect(patternService("?3:Get")).toBeNull();
  });

  it("splits ARNs into six parts, the last keeping its colons", () => {
    expect(splitArn("arn:aws:logs:us-east-1:1:log-group:a:b")).toEqual(["arn", "aws", "logs", "us-east-1", "1", "log-group:a:b"]);
    expect(splitArn("arn:aws:s3")).toBeNull();
  });

  it("ArnLike wildcards stay inside their ARN part", () => {
    expect(arnGlobMatches(compileGlob("arn:aws:*:*:*:*"), "arn:aws:s3:::b")).toBe(true);
    expect(arnGlobMatches(compileGlob("arn:aws:s*:::b"), "arn:aws:s3:x:::b")).toBe(false);
    expect(arnGlobMatches(compileGlob("*"), "arn:aws:s3:::b")).toBe(false);
  });
});

// Patterns as tokens: literal runs, `*` and `?`; an expansion replaces each wildcard.
const literal = fc.string({ unit: fc.constantFrom("a", "b", "/", ":", "-", "X", "1"), minLength: 1, maxLength: 4 });
const token = fc.oneof(literal, fc.constant("*"), fc.constant("?"));
const filler = fc.string({ unit: fc.constantFrom("a", "b", "/", ":", "*", "?", "Z"), maxLength: 5 });
const oneChar = fc.constantFrom("a", "/", ":", "*", "?", "Q");

const seed = Number(process.env.IAMGRAPH_PROPERTY_SEED ?? 1_902_2026);
const runs = { seed, numRuns: 300 };

describe(`wildcard properties (seed ${seed})`, () => {
  it("hasPrefix answers as String.prototype.startsWith", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", ":", "/", "é", "😀"), maxLength: 8 });
    fc.assert(
      fc.property(text, text, (subject, prefix) => {
        expect(hasPrefix(subject, prefix)).toBe(subject.startsWith(prefix));
        expect(hasPrefix(prefix + subject, prefix)).toBe(true);
      }),
      runs,
    );
  });

  it("a pattern matches every literal expansion of itself", () => {
    let withWildcards = 0;
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 8 }).chain((tokens) =>
          fc.tuple(
            fc.constant(tokens),
            fc.tuple(...tokens.map((t) => (t === "*" ? filler : t === "?" ? oneChar : fc.constant(t)))),
          ),
        ),
        ([tokens, expansion]) => {
          const pattern = tokens.join("");
          const subject = (expansion as string[]).join("");
          if (tokens.includes("*") || tokens.includes("?")) withWildcards++;
          expect(globMatches(compileGlob(pattern), subject)).toBe(true);
          expect(resourceMatches(pattern, subject)).toBe(true);
        },
      ),
      runs,
    );
    // Not degenerate: most patterns hold a wildcard to expand.
    expect(withWildcards).toBeGreaterThan(runs.numRuns / 2);
  });

  it("action matching is case-insensitive", () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), fc.boolean(), (tokens, upper) => {
        const pattern = tokens.join("");
        const subject = pattern.replaceAll("*", "").replaceAll("?", "x");
        const flipped = upper ? subject.toUpperCase() : subject.toLowerCase();
        expect(actionMatches(pattern, flipped)).toBe(true);
      }),
      runs,
    );
  });

  it("a pattern without wildcards matches only itself", () => {
    let equal = 0;
    fc.assert(
      fc.property(literal, fc.oneof(literal, fc.constant<string | null>(null)), (a, other) => {
        // Half the time the subject is the pattern itself: two independent draws are rarely equal.
        const b = other ?? a;
        if (a === b) equal++;
        expect(globMatches(compileGlob(a), b)).toBe(a === b);
      }),
      runs,
    );
    // Both answers come out often.
    expect(equal).toBeGreaterThan(runs.numRuns / 5);
    expect(equal).toBeLessThan(runs.numRuns * 0.8);
  });
});

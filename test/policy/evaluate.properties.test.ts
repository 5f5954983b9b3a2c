// Properties of the evaluator over generated well-formed (normalised) documents. The runs are
// seeded (IAMGRAPH_PROPERTY_SEED replays another), and the first property measures how often
// each decision comes out, so a generator that only ever produces implicit denials fails.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyInEffect } from "../../src/policy/document.js";
import { compilePolicySet } from "../../src/policy/compile.js";
import { evaluate } from "../../src/policy/evaluate.js";
import type { AuthorizationRequest } from "../../src/policy/request.js";
import { document, policies, request, statement } from "./helpers/arbitraries.js";
import { source } from "./helpers/policies.js";
import { prng } from "../support/prng.js";

const inEffect = (docs: readonly PolicyDocument[]): PolicyInEffect[] => docs.map((document, i) => ({ source: source(`p${i}`), document }));

const decide = (identity: readonly PolicyDocument[], boundary: readonly PolicyDocument[] | undefined, req: AuthorizationRequest) =>
  evaluate(compilePolicySet(inEffect(identity), boundary === undefined ? undefined : inEffect(boundary)), req).decision;

const optionalBoundary = fc.option(policies, { nil: undefined });

const seed = Number(process.env.IAMGRAPH_PROPERTY_SEED ?? 1_902_2026);
const runs = (numRuns: number) => ({ seed, numRuns });

describe(`evaluation properties (seed ${seed})`, () => {
  it("never throws on a well-formed document and always explains itself", () => {
    const tally = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };
    fc.assert(
      fc.property(policies, optionalBoundary, request, (identity, boundary, req) => {
        const set = compilePolicySet(inEffect(identity), boundary === undefined ? undefined : inEffect(boundary));
        const result = evaluate(set, req);
        tally[result.decision]++;
        expect(["allowed", "explicitDeny", "implicitDeny"]).toContain(result.decision);
        if (result.decision === "allowed") expect(result.matchedStatements.length).toBeGreaterThan(0);
        if (result.reason === "explicitDeny in identity policy") {
          expect(result.matchedStatements.every((m) => m.effect === "Deny" && m.conditions.every((c) => c.matched))).toBe(true);
        }
        expect(result.boundary === undefined).toBe(boundary === undefined);
      }),
      runs(500),
    );
    // Not degenerate: each decision is a real share of the runs (shrinking only adds runs).
    process.stdout.write(`evaluation properties seed ${seed}: ${JSON.stringify(tally)}\n`);
    for (const n of Object.values(tally)) expect(n).toBeGreaterThanOrEqual(25);
  });

  it("adding a Deny statement anywhere never turns a decision into allowed", () => {
    let allowedBefore = 0;
    fc.assert(
      fc.property(
        fc.array(document, { minLength: 1, maxLength: 4 }),
        optionalBoundary,
        request,
        statement("Deny"),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (identity, boundary, req, deny, whichPolicy, position, intoBoundary) => {
          const before = decide(identity, boundary, req);
          const target = intoBoundary && boundary !== undefined && boundary.length > 0 ? boundary : identity;
          const p = whichPolicy % target.length;
          const doc = target[p]!;
          const statements = [...doc.statements];
          statements.splice(position % (statements.length + 1), 0, deny);
          const patched = target.map((d, i) => (i === p ? { ...d, statements } : d));
          const after = target === identity ? decide(patched, boundary, req) : decide(identity, patched, req);
          if (before === "allowed") allowedBefore++;
          if (after === "allowed") expect(before).toBe("allowed");
        },
      ),
      runs(500),
    );
    // Only runs that start out allowed can show a Deny taking effect.
    expect(allowedBefore).toBeGreaterThanOrEqual(15);
  });

  it("the order of policies and statements never changes the decision", () => {
    fc.assert(
      fc.property(policies, optionalBoundary, request, fc.integer(), (identity, boundary, req, seed) => {
        const before = decide(identity, boundary, req);
        const rng = prng(seed).next;
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const a = [...xs];
          for (let i = a.length - 1; i > 0; i--) {
            const j = Math.floor(rng() * (i + 1));
            [a[i], a[j]] = [a[j]!, a[i]!];
          }
          return a;
        };
        const reorder = (docs: readonly PolicyDocument[]) => shuffle(docs.map((d) => ({ ...d, statements: shuffle(d.statements) })));
        const after = decide(reorder(identity), boundary === undefined ? undefined : reorder(boundary), req);
        expect(after).toBe(before);
      }),
      runs(500),
    );
  });

  it("a boundary never grants: with a boundary the answer is allowed only if it is allowed without one", () => {
    fc.assert(
      fc.property(policies, policies, request, (identity, boundary, req) => {
        if (decide(identity, boundary, req) === "allowed") expect(decide(identity, undefined, req)).toBe("allowed");
      }),
      runs(300),
    );
  });

  it("compiling once and evaluating agrees with the index-free answer for every action", () => {
    // The service index must only ever narrow the candidates, never hide a match.
    fc.assert(
      fc.property(policies, request, (identity, req) => {
        const indexed = evaluate(compilePolicySet(inEffect(identity)), req);
        // Put every statement behind a wildcard-service twin so all land in the always-checked bucket.
        const unindexed = identity.map((d) => ({
          ...d,
          statements: d.statements.map((s) => (s.action === undefined ? s : { ...s, action: [...s.action, "*:__never__"] })),
        }));
        expect(evaluate(compilePolicySet(inEffect(unindexed)), req).decision).toBe(indexed.decision);
      }),
      runs(300),
    );
  });
});


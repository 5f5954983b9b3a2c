// Differential test: iamgraph's evaluator against an independent one, @cloud-copilot/iam-simulate,
// on seeded random policy sets and requests (test/policy/oracle/generate.ts). Every case must
// agree on the decision and on the identity statements that decided it, unless the disagreement
// is of a kind listed in oracle-disagreements.json — and then only if it disappears once that
// construct is taken out (test/policy/oracle/known.ts).
//
// IAMGRAPH_ORACLE_SEED=<n> replays a run; IAMGRAPH_ORACLE_CASES=<n> runs more cases.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Answer, decideOurs, decidePeer } from "./oracle/decide.js";
import { type OracleCase, oracleCase } from "./oracle/generate.js";
import { KNOWN } from "./oracle/known.js";
import { shrink } from "./oracle/shrink.js";

const DEFAULT_SEED = 20261202;
const seed = Number(process.env.IAMGRAPH_ORACLE_SEED ?? DEFAULT_SEED);
const cases = Number(process.env.IAMGRAPH_ORACLE_CASES ?? 3000);

interface Listed {
  id: string;
  construct: string;
  iamgraph: string;
  peer: string;
  awsDocs: { page: string; says: string };
  awsSide: "iamgraph" | "peer" | "silent";
}
const listed = (JSON.parse(readFileSync(join(import.meta.dirname, "oracle-disagreements.json"), "utf8")) as { kinds: Listed[] }).kinds;

const agree = (a: Answer, b: Answer) => a.decision === b.decision && a.matched.join() === b.matched.join();
const answers = (c: OracleCase) => ({ ours: decideOurs(c), peer: decidePeer(c) });

/** The listed kinds that explain a disagreement, or null when none does. */
function explanation(c: OracleCase): string[] | null {
  const kinds = KNOWN.filter((k) => k.applies(c));
  if (kinds.length === 0) return null;
  const neutral = kinds.reduce((x, k) => k.neutralize(x), c);
  const { ours, peer } = answers(neutral);
  return agree(ours, peer) ? kinds.map((k) => k.id) : null;
}

describe(`differential test against iam-simulate (seed ${seed}, ${cases} cases)`, () => {
  it("every listed kind of disagreement has a detector, and every detector is listed with AWS's words", () => {
    expect(KNOWN.map((k) => k.id).sort()).toEqual(listed.map((k) => k.id).sort());
    for (const k of listed) {
      expect(k.awsDocs.page, k.id).toMatch(/^reference_policies_/);
      expect(k.awsDocs.says.length, k.id).toBeGreaterThan(40);
      expect(["iamgraph", "peer", "silent"], k.id).toContain(k.awsSide);
    }
  });

  it("agrees with the peer on every case but the listed, explained kinds", () => {
    const tally = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };
    const explained = new Map<string, number>();
    let agreed = 0;
    for (let i = 0; i < cases; i++) {
      const c = oracleCase(seed, i);
      const { ours, peer } = answers(c);
      tally[ours.decision]++;
      if (agree(ours, peer)) {
        agreed++;
        continue;
      }
      const kinds = explanation(c);
      if (kinds === null) {
        const small = shrink(c, (x) => {
          const a = answers(x);
          return !agree(a.ours, a.peer) && explanation(x) === null;
        });
        const { ours: o, peer: p } = answers(small);
        expect.fail(
          `case ${i} of seed ${seed} (replay: IAMGRAPH_ORACLE_SEED=${seed}): iamgraph ${JSON.stringify(o)}, peer ${JSON.stringify(p)}, ` +
            `no listed kind explains it. Shrunk case:\n${JSON.stringify(small, null, 2)}`,
        );
      }
      for (const k of kinds) explained.set(k, (explained.get(k) ?? 0) + 1);
    }
    process.stdout.write(
      `oracle seed ${seed}: ${cases} cases, ${agreed} agree; decisions ${JSON.stringify(tally)}; explained ${JSON.stringify(Object.fromEntries(explained))}\n`,
    );
    // The generator must exercise every outcome, and mostly cases where the engines agree
    // outright: a run that only produced implicit denials, or only listed disagreements, would
    // prove nothing.
    for (const d of Object.values(tally)) expect(d).toBeGreaterThan(cases / 20);
    expect(agreed).toBeGreaterThan(cases * 0.6);
    // With the fixed seed every listed kind must still occur: a kind that never shows up is
    // either stale or no longer generated.
    if (seed === DEFAULT_SEED) for (const k of listed) expect(explained.get(k.id) ?? 0, k.id).toBeGreaterThan(0);
  });
});

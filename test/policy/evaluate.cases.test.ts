// The evaluator's specification: JSON tables under cases/, each row naming the AWS rule or
// documentation example it encodes. A group shares its policies (and boundary) across rows.
// A row where AWS's documentation is silent says so in `choice` (iamgraph's documented choice)
// and is checked against the independent evaluator (oracle.test.ts): `oracle` is "agrees", or
// the id of the listed kind of disagreement (oracle-disagreements.json) it falls under.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicySet } from "../../src/policy/compile.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { type RawContext, policy, request } from "./helpers/policies.js";
import { ACCOUNT, PRINCIPAL } from "./oracle/generate.js";
import { peerAuthorize, peerPolicy } from "./oracle/peer.js";

interface CaseRow {
  rule: string;
  action: string;
  resource: string;
  context?: RawContext;
  expect: "allowed" | "explicitDeny" | "implicitDeny";
  reason?: string;
  /** [policy index, statement index] of the identity statements reported as matched. */
  matched?: [number, number][];
  boundaryAllowed?: boolean;
  missing?: string[];
  /** Set where AWS is silent: why iamgraph answers as it does. */
  choice?: string;
  /** With `choice`: "agrees" with the peer, or the listed kind of disagreement it falls under. */
  oracle?: string;
}

interface CaseGroup {
  title: string;
  policies: unknown[];
  boundary?: unknown[];
  cases: CaseRow[];
}

const dir = join(import.meta.dirname, "cases");
const listedKinds = new Set(
  (JSON.parse(readFileSync(join(import.meta.dirname, "oracle-disagreements.json"), "utf8")) as { kinds: { id: string }[] }).kinds.map((k) => k.id),
);

/** The peer's decision for a row (its context: one value is a single-valued key, a list a multivalued one). */
function peerDecision(group: CaseGroup, row: CaseRow): string {
  const context: Record<string, string | string[]> = {};
  for (const [key, v] of Object.entries(row.context ?? {})) {
    if (Array.isArray(v)) context[key] = v;
    else if (typeof v === "object") context[key] = v.values.length === 1 ? v.values[0]! : v.values;
    else context[key] = String(v);
  }
  const identity = group.policies.map((d, i) => peerPolicy(d, `p${i}`));
  const boundary = group.boundary?.map((d, i) => peerPolicy(d, `b${i}`));
  return peerAuthorize(identity, boundary, { principal: PRINCIPAL, accountId: ACCOUNT, action: row.action, resource: row.resource, context }).decision;
}
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

let total = 0;
for (const file of files) {
  const groups = JSON.parse(readFileSync(join(dir, file), "utf8")) as CaseGroup[];
  describe(file, () => {
    for (const group of groups) {
      describe(group.title, () => {
        const identity = group.policies.map((d, i) => policy(d, `p${i}`));
        const boundary = group.boundary?.map((d, i) => policy(d, `b${i}`, "boundary"));
        const set = compilePolicySet(identity, boundary);
        for (const row of group.cases) {
          total++;
          it(`${row.rule} — ${row.action} ${row.resource}`, () => {
            const result = evaluate(set, request(row.action, row.resource, row.context));
            expect(result.decision).toBe(row.expect);
            if (row.reason !== undefined) expect(result.reason).toBe(row.reason);
            if (row.matched !== undefined) {
              const matched = result.matchedStatements.map((m) => [Number(m.source.policyName.slice(1)), m.statementIndex]);
              expect(matched).toEqual(row.matched);
            }
            if (row.boundaryAllowed !== undefined) expect(result.boundary?.allowed).toBe(row.boundaryAllowed);
            if (row.missing !== undefined) expect(result.missingContextValues).toEqual(row.missing);
          });
          if (row.choice !== undefined) {
            it(`${row.rule} — iamgraph's choice, checked against the peer`, () => {
              expect(row.oracle, "a row marked as iamgraph's choice names its oracle outcome").toBeDefined();
              const peer = peerDecision(group, row);
              if (row.oracle === "agrees") expect(peer).toBe(row.expect);
              else {
                expect(listedKinds.has(row.oracle!), `${row.oracle} is listed in oracle-disagreements.json`).toBe(true);
                expect(peer).not.toBe(row.expect);
              }
            });
          }
        }
      });
    }
  });
}

describe("case tables", () => {
  it("hold at least 200 rows", () => {
    expect(total).toBeGreaterThanOrEqual(200);
  });
});

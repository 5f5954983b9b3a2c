// The evaluator's specification: JSON tables under cases/, each row naming the AWS rule or
// documentation example it encodes. A group shares its policies (and boundary) across rows.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicySet } from "../../src/policy/compile.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { type RawContext, policy, request } from "./helpers/policies.js";

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
}

interface CaseGroup {
  title: string;
  policies: unknown[];
  boundary?: unknown[];
  cases: CaseRow[];
}

const dir = join(import.meta.dirname, "cases");
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

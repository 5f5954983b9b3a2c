// Trust-policy evaluation as data: JSON tables under cases/trust/, each row naming the AWS rule
// it encodes. A row may also give the caller's identity-policy decision and the role's account,
// and then states what assumeRoleDecision makes of the two together.
// (Kept in a subdirectory: evaluate.cases.test.ts reads every *.json directly under cases/.)

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "../../src/policy/parse.js";
import { assumeRoleDecision, evaluateTrustPolicy, type TrustCaller } from "../../src/policy/trust-policy.js";
import { type RawContext, context } from "./helpers/policies.js";

type RawCaller = { user: string } | { session: string; roleArn: string } | { federated: string } | { service: string };

interface TrustRow {
  rule: string;
  caller: RawCaller;
  action?: string;
  context?: RawContext;
  expect: "allowed" | "explicitDeny" | "implicitDeny";
  match?: "wildcard" | "account" | "principal";
  matched?: number[];
  identity?: "allowed" | "explicitDeny" | "implicitDeny" | "none";
  roleAccount?: string;
  /** "allowed", or who refused: "trust policy" | "identity policy". */
  assume?: string;
}

const accountOf = (arn: string) => arn.split(":")[4]!;

function caller(raw: RawCaller): TrustCaller {
  if ("user" in raw) return { kind: "user", arn: raw.user, accountId: accountOf(raw.user) };
  if ("session" in raw) return { kind: "session", sessionArn: raw.session, roleArn: raw.roleArn, accountId: accountOf(raw.roleArn) };
  if ("federated" in raw) return { kind: "federated", provider: raw.federated };
  return { kind: "service", service: raw.service };
}

const dir = join(import.meta.dirname, "cases", "trust");
let total = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const groups = JSON.parse(readFileSync(join(dir, file), "utf8")) as { title: string; trust: unknown; cases: TrustRow[] }[];
  describe(`trust/${file}`, () => {
    for (const group of groups) {
      describe(group.title, () => {
        const parsed = parsePolicyDocument(JSON.stringify(group.trust), "trust");
        it("is a valid trust policy", () => expect(parsed.ok ? "ok" : parsed.reason).toBe("ok"));
        if (!parsed.ok) return;
        for (const row of group.cases) {
          total++;
          it(row.rule, () => {
            const who = caller(row.caller);
            const result = evaluateTrustPolicy(parsed.document, { caller: who, action: row.action ?? "sts:AssumeRole", context: context(row.context) });
            expect(result.decision).toBe(row.expect);
            if (row.match !== undefined) expect(result.matched.map((m) => m.principalMatch)).toContain(row.match);
            if (row.matched !== undefined) expect(result.matched.map((m) => m.statementIndex)).toEqual(row.matched);
            if (row.assume !== undefined) {
              const account = "accountId" in who ? who.accountId : undefined;
              const decision = assumeRoleDecision(result, row.identity ?? "implicitDeny", account === row.roleAccount);
              expect(decision.allowed ? "allowed" : decision.deniedBy).toBe(row.assume);
            }
          });
        }
      });
    }
  });
}

describe("trust case tables", () => {
  it("hold at least 40 rows", () => expect(total).toBeGreaterThanOrEqual(40));
});

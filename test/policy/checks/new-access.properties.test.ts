import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../../src/catalogue/service-reference.js";
import { newAccess } from "../../../src/policy/checks/new-access.js";
import { compilePolicySet } from "../../../src/policy/compile.js";
import type { PolicyDocument } from "../../../src/policy/document.js";
import { evaluate } from "../../../src/policy/evaluate.js";
import { parsePolicyDocument } from "../../../src/policy/parse.js";
import { buildContext, type ContextEntry } from "../../../src/policy/request.js";
import type { ServiceReference } from "../../../src/policy/service-reference.js";
import { prng } from "../../support/prng.js";

// The comparison against the evaluator itself, on seeded random policy pairs: (1) every new
// access it reports is real — the evaluator allows that action, resource and context under the
// new policy and not under the existing one; (2) when it reports none, no sampled request shows
// any; (3) a policy compared with itself has none.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const rng = (seed: number): (() => number) => prng(seed).next;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const ACTIONS = ["s3:GetObject", "s3:Get*", "s3:PutObject", "s3:List*", "s3:ListBucket", "s3:*", "s3:GetObjectAcl", "s3:Delete*"];
const RESOURCES = ["*", "arn:aws:s3:::b*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/home/*", "arn:aws:s3:::c/?", "arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::b", "arn:aws:s3:::*x"];
const CONDITIONS: object[] = [
  {},
  {},
  { StringEquals: { "aws:PrincipalTag/team": "a" } },
  { StringEquals: { "aws:PrincipalTag/team": ["a", "b"] } },
  { StringLike: { "aws:PrincipalTag/team": "a*" } },
  { StringEqualsIfExists: { "aws:PrincipalTag/team": "b" } },
  { NumericLessThan: { "s3:max-keys": "10" } },
  { NumericLessThanEquals: { "s3:max-keys": "20" } },
  { Bool: { "aws:SecureTransport": "true" } },
  { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
  { NotIpAddress: { "aws:SourceIp": "10.1.0.0/16" } },
  { StringEquals: { "aws:PrincipalTag/team": "${aws:username}" } },
];

function randomPolicy(r: () => number): PolicyDocument {
  const statements = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
    Effect: r() < 0.75 ? "Allow" : "Deny",
    [r() < 0.9 ? "Action" : "NotAction"]: Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, ACTIONS)),
    [r() < 0.9 ? "Resource" : "NotResource"]: Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, RESOURCES)),
    Condition: pick(r, CONDITIONS),
  }));
  const parsed = parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: statements }), "identity");
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.document;
}

const source = { kind: "inline" as const, policyName: "p", attachedTo: { type: "user" as const, name: "u", arn: "arn:aws:iam::123456789012:user/u" }, role: "identity" as const };
const setOf = (document: PolicyDocument) => compilePolicySet([{ source, document }]);

const SAMPLE_ACTIONS = ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObject", "s3:ListBucket", "s3:ListAllMyBuckets", "s3:DeleteObject", "s3:DeleteBucket", "s3:GetBucketPolicy"];
const SAMPLE_RESOURCES = ["arn:aws:s3:::b", "arn:aws:s3:::b/x", "arn:aws:s3:::b/home/alice/x", "arn:aws:s3:::b/home/bob/x", "arn:aws:s3:::c/y", "arn:aws:s3:::bx", "arn:aws:s3:::zz", "*"];
function randomContext(r: () => number): ReadonlyMap<string, ContextEntry> {
  const entries: ContextEntry[] = [];
  const maybe = (key: string, values: readonly string[]) => {
    const v = pick(r, [undefined, ...values]);
    if (v !== undefined) entries.push({ key, type: "string", values: [v] });
  };
  maybe("aws:PrincipalTag/team", ["a", "ab", "b", "c", "alice"]);
  maybe("s3:max-keys", ["5", "10", "15", "20", "25"]);
  maybe("aws:SecureTransport", ["true", "false"]);
  maybe("aws:SourceIp", ["10.1.2.3", "10.2.0.1", "192.168.0.1"]);
  maybe("aws:username", ["alice", "bob", "a"]);
  return buildContext(entries);
}

describe("newAccess against the evaluator, on seeded random policy pairs", () => {
  it("reports only real new access, misses none a sample shows, and finds none in a policy against itself", () => {
    const r = rng(Number(process.env.CHECKS_SEED ?? 14));
    let pairs = 0;
    let withNewAccess = 0;
    for (let n = 0; n < 120; n++) {
      const fresh = randomPolicy(r);
      const existing = r() < 0.2 ? fresh : randomPolicy(r);
      const freshSet = setOf(fresh);
      const existingSet = setOf(existing);
      const found = newAccess(fresh, existing, reference);
      pairs++;
      if (fresh === existing) expect(found, "a policy against itself").toEqual([]);
      for (const f of found) {
        if (f.undecided) continue;
        const context = buildContext(f.context.filter((c) => c.values.length > 0).map((c) => ({ key: c.key, type: "string" as const, values: c.values })));
        // Variables in resources take values outside the reported keys: the hit's own context is enough for the rest.
        const request = { action: f.action, resource: f.resource, context };
        expect(evaluate(freshSet, request).decision, JSON.stringify({ f, fresh, existing })).toBe("allowed");
        expect(evaluate(existingSet, request).decision, JSON.stringify({ f, fresh, existing })).not.toBe("allowed");
      }
      if (found.length > 0) withNewAccess++;
      if (found.length === 0) {
        for (let k = 0; k < 200; k++) {
          const request = { action: pick(r, SAMPLE_ACTIONS), resource: pick(r, SAMPLE_RESOURCES), context: randomContext(r) };
          const shows = evaluate(freshSet, request).decision === "allowed" && evaluate(existingSet, request).decision !== "allowed";
          expect(shows, JSON.stringify({ request: { ...request, context: [...request.context.values()] }, fresh, existing })).toBe(false);
        }
      }
    }
    // The generator makes both kinds of pair.
    expect(withNewAccess).toBeGreaterThan(20);
    expect(pairs - withNewAccess).toBeGreaterThan(20);
  });
});

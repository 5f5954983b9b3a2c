import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../../src/catalogue/service-reference.js";
import { checkNoNewAccess } from "../../../src/policy/checks/check-no-new-access.js";
import type { ServiceReference } from "../../../src/policy/service-reference.js";

// Policy pairs whose answers are known: AWS's own examples (aws-samples/iam-access-analyzer-
// custom-policy-check-samples: the reference policy as existing, the candidate as new) and
// rows that each encode one rule of how new access arises. Decided with the real service
// authorization reference, so `s3:*` means today's S3 actions.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown, Condition?: unknown) => ({ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });
const deny = (Action: unknown, Resource: unknown, Condition?: unknown) => ({ Effect: "Deny", Action, Resource, ...(Condition ? { Condition } : {}) });

// aws-samples: check-access-to-sensitive-resource/s3-bucket.md (abridged action list).
const sensitiveBucket = doc(allow("*", "*"), deny(["s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:ListBucket", "s3:PutBucketPolicy"], "arn:aws:s3:::my-sensitive-bucket"));
// aws-samples: check-for-privilege-escalation/via-iam-and-sts.md.
const privilegeEscalation = doc(
  allow("*", "*"),
  { Effect: "Deny", Action: ["iam:PassRole"], NotResource: "arn:aws:iam::*:role/PassableRoles/*" },
  { Effect: "Deny", Action: ["sts:AssumeRole"], NotResource: "arn:aws:iam::*:role/AssumableRoles/*" },
  deny(["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"], "*"),
);
// aws-samples: check-for-tag-based-access/act-on-ec2-instance-with-tag.md.
const tagged = doc(allow("*", "*"), deny("ec2:TerminateInstances", "*", { Null: { "aws:ResourceTag/owner": "true" } }));

const rows: { name: string; newDoc: string; existing: string; result: "PASS" | "FAIL"; statementIndexes?: number[]; action?: string; resource?: string }[] = [
  // AWS's samples
  { name: "sample s3-bucket 1: other bucket", existing: sensitiveBucket, newDoc: doc(allow(["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy"], "arn:aws:s3:::my-not-sensitive-bucket")), result: "PASS" },
  { name: "sample s3-bucket 2: explicitly denies the bucket", existing: sensitiveBucket, newDoc: doc(allow("s3:*", "*"), deny("*", "arn:aws:s3:::my-sensitive-bucket")), result: "PASS" },
  { name: "sample s3-bucket 3: DeleteBucketPolicy on it", existing: sensitiveBucket, newDoc: doc(allow("s3:DeleteBucketPolicy", "arn:aws:s3:::my-sensitive-bucket")), result: "FAIL", statementIndexes: [0], action: "s3:DeleteBucketPolicy", resource: "arn:aws:s3:::my-sensitive-bucket" },
  { name: "sample s3-bucket 4: the bucket inside a resource wildcard", existing: sensitiveBucket, newDoc: doc(allow("s3:PutBucketPolicy", "arn:aws:s3:*:*:*sensitive*")), result: "FAIL", statementIndexes: [0], action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::my-sensitive-bucket" },
  { name: "sample s3-bucket 5: s3:* on *", existing: sensitiveBucket, newDoc: doc(allow("s3:*", "*")), result: "FAIL", statementIndexes: [0], resource: "arn:aws:s3:::my-sensitive-bucket" },
  { name: "sample privilege escalation 1: passes a role in the allowed path", existing: privilegeEscalation, newDoc: doc(allow("iam:PassRole", "arn:aws:iam::111111111111:role/PassableRoles/MyRole")), result: "PASS" },
  { name: "sample privilege escalation 2: an unrelated action", existing: privilegeEscalation, newDoc: doc(allow("ec2:RunInstances", "*")), result: "PASS" },
  { name: "sample privilege escalation 3: a Deny confines AssumeRole to the path", existing: privilegeEscalation, newDoc: doc(allow("sts:AssumeRole", "*"), { Effect: "Deny", Action: "sts:AssumeRole", NotResource: "arn:aws:iam::*:role/AssumableRoles/MyRole" }), result: "PASS" },
  { name: "sample privilege escalation 4: a role outside the path", existing: privilegeEscalation, newDoc: doc(allow("iam:PassRole", "arn:aws:iam::111111111111:role/WrongPath/MyRole")), result: "FAIL", statementIndexes: [0], action: "iam:PassRole", resource: "arn:aws:iam::111111111111:role/WrongPath/MyRole" },
  { name: "sample privilege escalation 5: PutRolePolicy", existing: privilegeEscalation, newDoc: doc(allow("iam:PutRolePolicy", "arn:aws:iam::111111111111:role/PrivilegedRole")), result: "FAIL", statementIndexes: [0], action: "iam:PutRolePolicy" },
  { name: "sample tag 1: constrained to the tag", existing: tagged, newDoc: doc(allow("ec2:TerminateInstances", "*", { StringEquals: { "aws:ResourceTag/owner": "tag-value" } })), result: "PASS" },
  { name: "sample tag 2: another action", existing: tagged, newDoc: doc(allow("ec2:RunInstances", "*")), result: "PASS" },
  { name: "sample tag 3: a Deny constrains it to the tag", existing: tagged, newDoc: doc(allow("ec2:TerminateInstances", "*"), deny("ec2:TerminateInstances", "*", { StringNotEquals: { "aws:ResourceTag/owner": "tag-value" } })), result: "PASS" },
  { name: "sample tag 4: no condition", existing: tagged, newDoc: doc(allow("ec2:TerminateInstances", "*")), result: "FAIL", statementIndexes: [0], action: "ec2:TerminateInstances" },
  { name: "sample tag 5: ec2:* includes TerminateInstances", existing: tagged, newDoc: doc(allow("ec2:*", "*")), result: "FAIL", statementIndexes: [0], action: "ec2:TerminateInstances" },

  // Actions
  { name: "the same policy", existing: doc(allow("s3:Get*", "arn:aws:s3:::b/*")), newDoc: doc(allow("s3:Get*", "arn:aws:s3:::b/*")), result: "PASS" },
  { name: "a wildcard covering the listed actions", existing: doc(allow("s3:Get*", "*")), newDoc: doc(allow(["s3:GetObject", "s3:GetObjectAcl"], "*")), result: "PASS" },
  { name: "a wildcard wider than the listed action", existing: doc(allow("s3:GetObject", "*")), newDoc: doc(allow("s3:GetObj*", "*")), result: "FAIL", statementIndexes: [0] },
  { name: "the same actions, spelled differently", existing: doc(allow("s3:getobject", "*")), newDoc: doc(allow("S3:GetObject", "*")), result: "PASS" },
  { name: "an action the reference does not know, covered by s3:*", existing: doc(allow("s3:*", "*")), newDoc: doc(allow("s3:GetObjekt", "*")), result: "PASS" },
  { name: "an action the reference does not know, not listed before", existing: doc(allow("s3:GetObject", "*")), newDoc: doc(allow("s3:GetObjekt", "*")), result: "FAIL", action: "s3:GetObjekt" },
  { name: "NotAction against Allow *", existing: doc(allow("*", "*")), newDoc: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), result: "PASS" },
  { name: "NotAction grants other services", existing: doc(allow("s3:*", "*")), newDoc: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), result: "FAIL", statementIndexes: [0] },
  { name: "a statement moved and split", existing: doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*")), newDoc: doc(allow("s3:PutObject", "arn:aws:s3:::b/*"), allow("s3:GetObject", "arn:aws:s3:::b/*")), result: "PASS" },
  { name: "only the second statement is new", existing: doc(allow("s3:GetObject", "*")), newDoc: doc(allow("s3:GetObject", "*"), allow("s3:DeleteObject", "*")), result: "FAIL", statementIndexes: [1], action: "s3:DeleteObject" },

  // Resources
  { name: "a narrower resource", existing: doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::b/home/*")), result: "PASS" },
  { name: "a pattern wider than the old one", existing: doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::b*")), result: "FAIL", resource: "arn:aws:s3:::b" },
  { name: "covered by the union of two old patterns", existing: doc(allow("s3:ListBucket", ["arn:aws:s3:::b", "arn:aws:s3:::b/*"])), newDoc: doc(allow("s3:ListBucket", ["arn:aws:s3:::b", "arn:aws:s3:::b/x*"])), result: "PASS" },
  { name: "? is one character", existing: doc(allow("s3:GetObject", "arn:aws:s3:::b/??")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::b/?")), result: "FAIL" },
  { name: "a Deny removed", existing: doc(allow("s3:*", "*"), deny("s3:DeleteBucket", "*")), newDoc: doc(allow("s3:*", "*")), result: "FAIL", action: "s3:DeleteBucket" },
  { name: "a Deny added", existing: doc(allow("s3:*", "*")), newDoc: doc(allow("s3:*", "*"), deny("s3:DeleteBucket", "*")), result: "PASS" },
  { name: "NotResource grants the rest", existing: doc(allow("s3:GetObject", "arn:aws:s3:::public/*")), newDoc: doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" }), result: "FAIL" },
  { name: "a policy variable, unchanged", existing: doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), result: "PASS" },
  { name: "a policy variable widened to everyone's folder", existing: doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::home/*")), result: "FAIL" },
  { name: "one user's folder against a Deny on the caller's own", existing: doc(allow("s3:GetObject", "*"), deny("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), newDoc: doc(allow("s3:GetObject", "arn:aws:s3:::home/alice/*")), result: "FAIL" },

  // Conditions: a new statement whose conditions are weaker or absent grants new access.
  { name: "a condition removed", existing: doc(allow("s3:*", "*", { Bool: { "aws:MultiFactorAuthPresent": "true" } })), newDoc: doc(allow("s3:*", "*")), result: "FAIL" },
  { name: "a condition added", existing: doc(allow("s3:GetObject", "*")), newDoc: doc(allow("s3:GetObject", "*", { Bool: { "aws:SecureTransport": "true" } })), result: "PASS" },
  { name: "a numeric bound loosened", existing: doc(allow("s3:ListBucket", "*", { NumericLessThan: { "s3:max-keys": "10" } })), newDoc: doc(allow("s3:ListBucket", "*", { NumericLessThan: { "s3:max-keys": "20" } })), result: "FAIL" },
  { name: "a numeric bound tightened", existing: doc(allow("s3:ListBucket", "*", { NumericLessThan: { "s3:max-keys": "10" } })), newDoc: doc(allow("s3:ListBucket", "*", { NumericLessThanEquals: { "s3:max-keys": "9" } })), result: "PASS" },
  { name: "LessThan 10 is not LessThanEquals 10", existing: doc(allow("s3:ListBucket", "*", { NumericLessThan: { "s3:max-keys": "10" } })), newDoc: doc(allow("s3:ListBucket", "*", { NumericLessThanEquals: { "s3:max-keys": "10" } })), result: "FAIL" },
  { name: "a date moved later", existing: doc(allow("s3:GetObject", "*", { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } })), newDoc: doc(allow("s3:GetObject", "*", { DateLessThan: { "aws:CurrentTime": "2031-01-01T00:00:00Z" } })), result: "FAIL" },
  { name: "a date moved earlier", existing: doc(allow("s3:GetObject", "*", { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } })), newDoc: doc(allow("s3:GetObject", "*", { DateLessThan: { "aws:CurrentTime": "2029-06-01" } })), result: "PASS" },
  { name: "a smaller IP range", existing: doc(allow("s3:*", "*", { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } })), newDoc: doc(allow("s3:*", "*", { IpAddress: { "aws:SourceIp": "10.1.0.0/16" } })), result: "PASS" },
  { name: "a larger IP range", existing: doc(allow("s3:*", "*", { IpAddress: { "aws:SourceIp": "10.1.0.0/16" } })), newDoc: doc(allow("s3:*", "*", { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } })), result: "FAIL" },
  { name: "StringEquals inside the old StringLike", existing: doc(allow("s3:*", "*", { StringLike: { "aws:PrincipalTag/team": "dev-*" } })), newDoc: doc(allow("s3:*", "*", { StringEquals: { "aws:PrincipalTag/team": "dev-a" } })), result: "PASS" },
  { name: "a wider StringLike", existing: doc(allow("s3:*", "*", { StringLike: { "aws:PrincipalTag/team": "dev-*" } })), newDoc: doc(allow("s3:*", "*", { StringLike: { "aws:PrincipalTag/team": "d*" } })), result: "FAIL" },
  { name: "IfExists lets an absent key through", existing: doc(allow("s3:*", "*", { StringEquals: { "aws:PrincipalTag/team": "dev" } })), newDoc: doc(allow("s3:*", "*", { StringEqualsIfExists: { "aws:PrincipalTag/team": "dev" } })), result: "FAIL" },
  { name: "a tag matched to the caller's name, unchanged", existing: doc(allow("s3:*", "*", { StringEquals: { "aws:ResourceTag/owner": "${aws:username}" } })), newDoc: doc(allow("s3:GetObject", "*", { StringEquals: { "aws:ResourceTag/owner": "${aws:username}" } })), result: "PASS" },
];

describe("checkNoNewAccess: policy pairs with known answers", () => {
  it.each(rows)("$result — $name", ({ newDoc, existing, result, statementIndexes, action, resource }) => {
    const outcome = checkNoNewAccess(newDoc, existing, "IDENTITY_POLICY", reference);
    if (!outcome.ok) throw new Error(outcome.message);
    const { response } = outcome;
    expect(response.result, JSON.stringify(response.reasons, null, 1)).toBe(result);
    if (result === "PASS") expect(response.reasons).toEqual([]);
    else expect(response.reasons.length).toBeGreaterThan(0);
    if (statementIndexes) expect([...new Set(response.reasons.map((r) => r.statementIndex))].sort()).toEqual(statementIndexes);
    if (action) expect(response.reasons.map((r) => r.action)).toContain(action);
    if (resource !== undefined) expect(response.reasons.map((r) => r.resource)).toContain(resource);
    for (const r of response.reasons) expect(r.description).toContain(`index ${r.statementIndex}`);
  });
});

describe("checkNoNewAccess: answers and refusals", () => {
  it("a FAIL reason names the statement, its Sid, the action, the resource and the context", () => {
    const outcome = checkNoNewAccess(doc({ Sid: "Terminate", ...allow("ec2:TerminateInstances", "*") }), tagged, "IDENTITY_POLICY", reference);
    expect(outcome.ok && outcome.response.message).toBe("The modified permissions grant new access compared to your existing policy.");
    const [r] = outcome.ok ? outcome.response.reasons : [];
    expect(r).toMatchObject({ statementIndex: 0, statementId: "Terminate", action: "ec2:TerminateInstances" });
    expect(r?.description).toContain("aws:ResourceTag/owner is absent");
  });

  it("one reason per statement, naming one action and counting the others", () => {
    const outcome = checkNoNewAccess(doc(allow("s3:*", "*"), allow("iam:Get*", "*")), doc(allow("s3:GetObject", "*")), "IDENTITY_POLICY", reference);
    const reasons = outcome.ok ? outcome.response.reasons : [];
    expect(reasons.map((r) => r.statementIndex)).toEqual([0, 1]);
    expect(reasons[0]?.action).toMatch(/^s3:/);
    expect(reasons[0]?.action).not.toBe("s3:GetObject");
    expect(reasons[0]?.description).toMatch(/\(and \d+ other actions alike\)/);
    expect(reasons[1]?.action).toMatch(/^iam:Get/);
  });

  it("PASS says so", () => {
    const outcome = checkNoNewAccess(doc(allow("s3:GetObject", "*")), doc(allow("s3:*", "*")), "IDENTITY_POLICY", reference);
    expect(outcome).toEqual({ ok: true, response: { result: "PASS", message: "The modified permissions do not grant new access compared to your existing policy.", reasons: [] } });
  });

  it.each([
    ["new policy not JSON", "{", doc(allow("*", "*")), "MalformedPolicyDocument", "newPolicyDocument"],
    ["existing policy without Action", doc(allow("*", "*")), doc({ Effect: "Allow", Resource: "*" }), "MalformedPolicyDocument", "existingPolicyDocument"],
  ])("%s is a typed error naming the input", (_name, newDoc, existing, code, input) => {
    const outcome = checkNoNewAccess(newDoc, existing, "IDENTITY_POLICY", reference);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.code).toBe(code);
      expect(outcome.message.startsWith(`${input}:`)).toBe(true);
    }
  });

  it("identity policies given as RESOURCE_POLICY are malformed (no principals), not answered as identity policies", () => {
    // Resource policies are compared in resource-policy.test.ts.
    const outcome = checkNoNewAccess(doc(allow("*", "*")), doc(allow("*", "*")), "RESOURCE_POLICY", reference);
    expect(outcome).toMatchObject({ ok: false, code: "MalformedPolicyDocument" });
  });
});

describe("checkNoNewAccess: conservative when it cannot be exact, and never throws", () => {
  it("too many condition combinations to try is FAIL with an undecided reason, never PASS", () => {
    // 7 keys × 8+ candidates each: more contexts than the budget.
    const conditions = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`aws:PrincipalTag/k${i}`, ["a", "b", "c", "d"]]));
    const existing = doc(allow("s3:GetObject", "*", { StringEquals: conditions }));
    const outcome = checkNoNewAccess(existing, existing, "IDENTITY_POLICY", reference);
    expect(outcome.ok && outcome.response.result).toBe("FAIL");
    const reasons = outcome.ok ? outcome.response.reasons : [];
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((r) => r.undecided === true && r.description.includes("treated as granting new access"))).toBe(true);
  });

  it("policies with Deny only, NotResource only, or many wildcards are answered", () => {
    const wild = "arn:aws:s3:::" + "*a".repeat(40) + "*";
    const cases: [string, string][] = [
      [doc({ Effect: "Deny", Action: "s3:*", Resource: "*" }), doc(allow("s3:GetObject", "*"))],
      [doc({ Effect: "Deny", Action: "*", Resource: "*" }), doc({ Effect: "Deny", Action: "iam:*", Resource: "*" })],
      [doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"] }), doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::a/*" })],
      [doc(allow("s3:GetObject", wild)), doc(allow("s3:GetObject", "arn:aws:s3:::*a*"))],
      [doc(allow("*", "*")), doc(allow("*", "*"))],
    ];
    for (const [n, e] of cases) {
      const outcome = checkNoNewAccess(n, e, "IDENTITY_POLICY", reference);
        expect(outcome.ok, n).toBe(true);
    }
    expect(checkNoNewAccess(cases[0]![0], cases[0]![1], "IDENTITY_POLICY", reference)).toMatchObject({ ok: true, response: { result: "PASS" } });
    expect(checkNoNewAccess(cases[2]![0], cases[2]![1], "IDENTITY_POLICY", reference)).toMatchObject({ ok: true, response: { result: "PASS" } });
    expect(checkNoNewAccess(cases[4]![0], cases[4]![1], "IDENTITY_POLICY", reference)).toMatchObject({ ok: true, response: { result: "PASS" } });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../../src/catalogue/service-reference.js";
import { checkAccessNotGranted, type Access } from "../../../src/policy/checks/check-access-not-granted.js";
import type { ServiceReference } from "../../../src/policy/service-reference.js";

// CheckAccessNotGranted: "only actions: at least one of them on any resource; only resources:
// any action on at least one of them; both: at least one action on at least one resource"
// (API_CheckAccessNotGranted). Each row is a policy whose answer is known.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown, Condition?: unknown) => ({ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });
const bucket = "arn:aws:s3:::my-sensitive-bucket";

const rows: { name: string; policy: string; access: Access; result: "PASS" | "FAIL"; statementIndexes?: number[]; action?: string }[] = [
  { name: "the action on another bucket (actions and resources)", policy: doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::other")), access: { actions: ["s3:PutBucketPolicy"], resources: [bucket] }, result: "PASS" },
  { name: "the action on the bucket", policy: doc(allow("s3:PutBucketPolicy", bucket)), access: { actions: ["s3:PutBucketPolicy"], resources: [bucket] }, result: "FAIL", statementIndexes: [0], action: "s3:PutBucketPolicy" },
  { name: "s3:* includes the action", policy: doc(allow("s3:GetObject", "*"), allow("s3:*", "*")), access: { actions: ["s3:DeleteBucket"] }, result: "FAIL", statementIndexes: [1], action: "s3:DeleteBucket" },
  { name: "only actions: on any resource", policy: doc(allow("iam:PassRole", "arn:aws:iam::111122223333:role/x")), access: { actions: ["iam:PassRole"] }, result: "FAIL", action: "iam:PassRole" },
  { name: "only actions: not granted", policy: doc(allow("s3:GetObject", "*")), access: { actions: ["iam:PassRole", "iam:CreateUser"] }, result: "PASS" },
  { name: "a listed wildcard action", policy: doc(allow("iam:CreateAccessKey", "*")), access: { actions: ["iam:Create*"] }, result: "FAIL", action: "iam:CreateAccessKey" },
  { name: "only resources: any action on them", policy: doc(allow("s3:GetObject", "arn:aws:s3:::my-sensitive-bucket/*")), access: { resources: ["arn:aws:s3:::my-sensitive-bucket/*"] }, result: "FAIL" },
  { name: "only resources: other objects", policy: doc(allow("s3:GetObject", "arn:aws:s3:::public/*")), access: { resources: ["arn:aws:s3:::my-sensitive-bucket/*"] }, result: "PASS" },
  { name: "a Deny removes the listed access", policy: doc(allow("s3:*", "*"), { Effect: "Deny", Action: "*", Resource: bucket }), access: { actions: ["s3:PutBucketPolicy"], resources: [bucket] }, result: "PASS" },
  { name: "a conditional Deny leaves some of it", policy: doc(allow("s3:*", "*"), { Effect: "Deny", Action: "*", Resource: bucket, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }), access: { actions: ["s3:PutBucketPolicy"], resources: [bucket] }, result: "FAIL" },
  { name: "the listed object inside a resource wildcard", policy: doc(allow("s3:GetObject", "arn:aws:s3:::my-*")), access: { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-sensitive-bucket/secret.txt"] }, result: "FAIL" },
];

describe("checkAccessNotGranted: policies with known answers", () => {
  it.each(rows)("$result — $name", ({ policy, access, result, statementIndexes, action }) => {
    const outcome = checkAccessNotGranted(policy, access, "IDENTITY_POLICY", reference);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.response.result, JSON.stringify(outcome.response.reasons, null, 1)).toBe(result);
    expect(outcome.response.reasons.length > 0).toBe(result === "FAIL");
    if (statementIndexes) expect([...new Set(outcome.response.reasons.map((r) => r.statementIndex))].sort()).toEqual(statementIndexes);
    if (action) expect(outcome.response.reasons.map((r) => r.action)).toContain(action);
  });

  it("messages", () => {
    const pass = checkAccessNotGranted(doc(allow("s3:GetObject", "*")), { actions: ["iam:PassRole"] }, "IDENTITY_POLICY", reference);
    const fail = checkAccessNotGranted(doc(allow("iam:PassRole", "*")), { actions: ["iam:PassRole"] }, "IDENTITY_POLICY", reference);
    expect(pass.ok && pass.response.message).toBe("The policy document does not grant access to perform the listed actions or resources.");
    expect(fail.ok && fail.response.message).toBe("The policy document grants access to perform one or more of the listed actions or resources.");
  });
});

describe("checkAccessNotGranted: bad input is a typed error", () => {
  it.each<[string, Access, string]>([
    ["nothing listed", {}, "access:"],
    ["101 actions", { actions: Array.from({ length: 101 }, (_, i) => `s3:A${i}`) }, "access.actions:"],
    ["an action without a service", { actions: ["GetObject"] }, "access.actions:"],
    ["a resource that is not an ARN", { resources: ["bucket"] }, "access.resources:"],
    ["a wildcard in the account", { resources: ["arn:aws:iam::*:role/x"] }, "access.resources:"],
  ])("%s", (_name, access, prefix) => {
    const outcome = checkAccessNotGranted(doc(allow("*", "*")), access, "IDENTITY_POLICY", reference);
    expect(outcome).toMatchObject({ ok: false, code: "ValidationError" });
    if (!outcome.ok) expect(outcome.message.startsWith(prefix)).toBe(true);
  });

  it("a malformed policy names the input", () => {
    const outcome = checkAccessNotGranted("[]", { actions: ["s3:GetObject"] }, "IDENTITY_POLICY", reference);
    expect(outcome).toMatchObject({ ok: false, code: "MalformedPolicyDocument" });
    if (!outcome.ok) expect(outcome.message.startsWith("policyDocument:")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { AWS_MANAGED_POLICIES, findAwsManagedPolicy } from "../../src/policy/aws-managed-policies.js";
import { parsePolicyDocument } from "../../src/policy/parse.js";
import { MANAGED_POLICY_SIZE_QUOTA, policySizeWithoutWhitespace } from "../../src/policy/size.js";

describe("AWS managed policies (AWS Managed Policy Reference)", () => {
  it.each([
    ["AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "v1"],
    ["PowerUserAccess", "arn:aws:iam::aws:policy/PowerUserAccess", "v12"],
    ["IAMFullAccess", "arn:aws:iam::aws:policy/IAMFullAccess", "v2"],
    ["IAMReadOnlyAccess", "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "v4"],
    ["IAMUserChangePassword", "arn:aws:iam::aws:policy/IAMUserChangePassword", "v3"],
  ])("%s is %s at %s", (name, arn, versionId) => {
    const p = findAwsManagedPolicy(arn);
    expect(p).toMatchObject({ name, arn, path: "/", versionId });
  });

  it.each(AWS_MANAGED_POLICIES.map((p) => [p.name, p] as const))("%s parses as a managed policy within the size quota", (_n, p) => {
    const r = parsePolicyDocument(p.document, "identity", { managed: true });
    expect(r.ok).toBe(true);
    expect(policySizeWithoutWhitespace(p.document)).toBeLessThanOrEqual(MANAGED_POLICY_SIZE_QUOTA);
  });

  it("IAMUserChangePassword keeps its policy variables", () => {
    const r = parsePolicyDocument(findAwsManagedPolicy("arn:aws:iam::aws:policy/IAMUserChangePassword")?.document ?? "", "identity");
    expect(r.ok && r.document.statements[0]?.resource).toEqual(["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"]);
  });
});

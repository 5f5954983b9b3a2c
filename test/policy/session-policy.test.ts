import { describe, expect, it } from "vitest";
import { compilePolicySet } from "../../src/policy/compile.js";
import { evaluateSession } from "../../src/policy/session-policy.js";
import { policy, request } from "./helpers/policies.js";

// access_policies_session: a role session's permissions are the role's identity policies (and
// boundary) intersected with its session policies; a session policy never grants by itself.
const role = compilePolicySet([policy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*", "iam:Get*"], Resource: "*" }, { Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] })], undefined);
const session = compilePolicySet([policy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteBucket", "ec2:*"], Resource: "*" }, { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::secret/*" }] })], undefined);

describe("session policies", () => {
  const cases: [string, string, string, string, string][] = [
    ["allowed by both", "s3:GetObject", "arn:aws:s3:::b/k", "allowed", "allowed"],
    ["the role allows, the session policy does not", "s3:PutObject", "arn:aws:s3:::b/k", "implicitDeny", "no session policy allows"],
    ["a session policy never grants what the role does not", "ec2:RunInstances", "*", "implicitDeny", "no identity allow"],
    ["a Deny in the session policy denies", "s3:GetObject", "arn:aws:s3:::secret/x", "explicitDeny", "explicitDeny in session policy"],
    ["the role's own Deny stands", "s3:DeleteBucket", "arn:aws:s3:::b", "explicitDeny", "explicitDeny in identity policy"],
  ];
  it.each(cases)("access_policies_session: %s", (_rule, action, resource, decision, reason) => {
    const result = evaluateSession(role, session, request(action, resource));
    expect([result.decision, result.reason]).toEqual([decision, reason]);
  });
  it("without session policies the role's decision stands", () => {
    expect(evaluateSession(role, undefined, request("s3:PutObject", "arn:aws:s3:::b/k")).decision).toBe("allowed");
  });
});

import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "../../src/policy/parse.js";
import { malformedCases } from "./parse.malformed.cases.js";

const text = (doc: unknown) => (typeof doc === "string" ? doc : JSON.stringify(doc));
const V = "2012-10-17";
const B = "arn:aws:s3:::example_bucket";

describe("parsePolicyDocument: malformed identity policies give AWS's reason", () => {
  it.each(malformedCases)("$name", ({ doc, reason, managed }) => {
    const r = parsePolicyDocument(text(doc), "identity", { managed: managed ?? false });
    expect(r).toEqual({ ok: false, code: "MalformedPolicyDocument", reason });
  });
});

describe("parsePolicyDocument: input constraints", () => {
  it.each([
    ["empty text", ""],
    ["a character above U+00FF", JSON.stringify({ Version: V, Statement: { Sid: "snow☃", Effect: "Allow", Action: "*", Resource: "*" } })],
    ["a control character", `{"Version":"${V}",\u0001"Statement":[]}`],
  ])("%s is a ValidationError", (_name, t) => {
    const r = parsePolicyDocument(t, "identity");
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.code).toBe("ValidationError");
  });

  it("accepts TAB, CR, LF and Latin-1 characters", () => {
    const t = `{\t"Version":"${V}",\r\n"Statement":{"Sid":"caf\u00e9","Effect":"Allow","Action":"*","Resource":"*"}}`;
    expect(parsePolicyDocument(t, "identity").ok).toBe(true);
  });
});

// Documents AWS accepts (moto's valid list plus the normalisation rules of document.ts).
const validDocs: readonly unknown[] = [
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: [B] } },
  { Version: V, Statement: { Effect: "Allow", Action: "iam: asdf safdsf af ", Resource: B } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: [B, "*"] } },
  { Version: V, Statement: { Effect: "Allow", Action: "*", Resource: B } },
  { Version: V, Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: B }] },
  { Version: V, Statement: { Effect: "Allow", Action: "fsx:ListBucket", Resource: B } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:iam:::user/example_bucket" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s33:::example_bucket" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:fdsasf" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: {} } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:cloudwatch:us-east-1::example_bucket" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:invalid-service:us-east-1::example_bucket" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { DateGreaterThan: {} } } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { DateGreaterThan: { a: [] } } } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { a: {} } } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { x: {}, y: {} } } },
  { Version: V, Statement: { Effect: "Allow", NotAction: "s3:ListBucket", NotResource: "*" } },
  { Version: V, Statement: { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"] } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3-s:ListBucket", Resource: B } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3.s:ListBucket", Resource: B } },
  { Version: V, Statement: [{ Sid: "", Effect: "Allow", Action: "rds:*", Resource: ["arn:aws:rds:region:*:*"] }, { Sid: "", Effect: "Allow", Action: ["rds:Describe*"], Resource: ["*"] }] },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point" } },
  ...["01T", "2019-07-01T13:20:15Z", "2016-12-13T21:20:37.593194+00:00", "2016-12-13t2:00:00.593194+23", "-292275054", "1700000000"].map(
    (d) => ({ Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { DateLessThan: { a: d } } } }),
  ),
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { "ForAnyValue:StringEqualsIfExists": { a: "asf" } } } },
  { Version: V, Statement: { Effect: "Deny", NotAction: ["iam:GetUser", "sts:GetSessionToken"], Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } } },
  { Version: V, Statement: { Effect: "Allow", Action: "iam:ChangePassword", Resource: "arn:aws:iam::*:user/${aws:username}" } },
  { Version: V, Statement: { Effect: "Allow", Action: "iam:ListUsers", Resource: "arn:aws:iam::123456789012:*" } },
  { Version: V, Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:*:s3:::b" } },
];

describe("parsePolicyDocument: valid documents parse", () => {
  it.each(validDocs.map((d, i) => [i, d] as const))("valid document %i", (_i, d) => {
    const r = parsePolicyDocument(text(d), "identity", { managed: true });
    expect(r).toMatchObject({ ok: true });
  });
});

describe("parsePolicyDocument: normalised shape", () => {
  it("turns strings into lists and condition values into strings", () => {
    const r = parsePolicyDocument(
      JSON.stringify({
        Version: V,
        Id: "policy-1",
        Statement: {
          Sid: "One",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: B,
          Condition: {
            Bool: { "aws:SecureTransport": true },
            NumericLessThan: { "s3:max-keys": [10, "20"] },
            StringEquals: { "aws:PrincipalTag/team": "blue" },
          },
        },
      }),
      "identity",
    );
    expect(r).toEqual({
      ok: true,
      document: {
        version: V,
        id: "policy-1",
        statements: [
          {
            sid: "One",
            effect: "Allow",
            action: ["s3:GetObject"],
            resource: [B],
            conditions: [
              { operator: "Bool", key: "aws:SecureTransport", values: ["true"] },
              { operator: "NumericLessThan", key: "s3:max-keys", values: ["10", "20"] },
              { operator: "StringEquals", key: "aws:PrincipalTag/team", values: ["blue"] },
            ],
          },
        ],
      },
    });
  });

  it("keeps NotAction / NotResource and a statement array in order", () => {
    const r = parsePolicyDocument(
      JSON.stringify({
        Version: V,
        Statement: [
          { Effect: "Deny", NotAction: ["iam:*", "sts:*"], NotResource: "arn:aws:s3:::b/*" },
          { Effect: "Allow", Action: ["s3:Get*"], Resource: ["*"] },
        ],
      }),
      "identity",
    );
    expect(r.ok && r.document.statements).toEqual([
      { effect: "Deny", notAction: ["iam:*", "sts:*"], notResource: ["arn:aws:s3:::b/*"], conditions: [] },
      { effect: "Allow", action: ["s3:Get*"], resource: ["*"], conditions: [] },
    ]);
  });

  it("defaults a missing Version to 2008-10-17 for inline policies", () => {
    const r = parsePolicyDocument(JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }), "identity");
    expect(r.ok && r.document.version).toBe("2008-10-17");
  });

  it("accepts an explicit 2008-10-17 outside CreatePolicy", () => {
    const r = parsePolicyDocument(JSON.stringify({ Version: "2008-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }), "identity");
    expect(r.ok && r.document.version).toBe("2008-10-17");
  });

  it("keeps an empty condition value list and drops an unknown empty operator", () => {
    const r = parsePolicyDocument(
      JSON.stringify({ Version: V, Statement: { Effect: "Allow", Action: "*", Resource: "*", Condition: { DateGreaterThan: { a: [] }, x: {} } } }),
      "identity",
    );
    expect(r.ok && r.document.statements[0]?.conditions).toEqual([{ operator: "DateGreaterThan", key: "a", values: [] }]);
  });
});

const trust = (s: Record<string, unknown> | Record<string, unknown>[]) => JSON.stringify({ Version: V, Statement: s });

describe("parsePolicyDocument: trust policies", () => {
  it("parses a service trust policy without a Resource", () => {
    const r = parsePolicyDocument(trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), "trust");
    expect(r).toEqual({
      ok: true,
      document: {
        version: V,
        statements: [{ effect: "Allow", principal: { Service: ["ec2.amazonaws.com"] }, action: ["sts:AssumeRole"], conditions: [] }],
      },
    });
  });

  it("parses principal *, several principal types and sts:TagSession", () => {
    const r = parsePolicyDocument(
      trust([
        { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } } },
        { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root", "111122223333"], Federated: "cognito-identity.amazonaws.com" }, Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"] },
      ]),
      "trust",
    );
    expect(r.ok && r.document.statements[1]?.principal).toEqual({
      AWS: ["arn:aws:iam::123456789012:root", "111122223333"],
      Federated: ["cognito-identity.amazonaws.com"],
    });
    expect(r.ok && r.document.statements[0]?.principal).toBe("*");
  });

  it.each([
    ["Resource is prohibited", { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Resource: "*" }, "Has prohibited field Resource"],
    ["a principal is required", { Effect: "Allow", Action: "sts:AssumeRole" }, "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"],
    ["only sts role actions", { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "s3:GetObject" }, "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"],
    ["an action is required", { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } }, "Policy statement must contain actions."],
    ["unknown principal type", { Effect: "Allow", Principal: { Robot: "x" }, Action: "sts:AssumeRole" }, "Syntax errors in policy."],
    ["empty principal object", { Effect: "Allow", Principal: {}, Action: "sts:AssumeRole" }, "Syntax errors in policy."],
    ["vendor check still applies", { Effect: "Allow", Principal: "*", Action: "AssumeRole" }, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
  ])("%s", (_name, statement, reason) => {
    expect(parsePolicyDocument(trust(statement), "trust")).toEqual({ ok: false, code: "MalformedPolicyDocument", reason });
  });
});

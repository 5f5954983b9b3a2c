import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../../src/catalogue/service-reference.js";
import type { ServiceReference } from "../../../src/policy/service-reference.js";
import { validatePolicy, type Finding } from "../../../src/policy/validate-policy.js";

// validatePolicy's findings that need the service authorization reference
// (access-analyzer-reference-policy-checks), one row per finding type, each with the type, the
// issue code and where it points. Findings inform: every document here is one AWS stores.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown, Condition?: unknown) => ({ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });

const rows: { name: string; text: string; type: Finding["findingType"]; code: string; paths: (string | number)[][]; message?: string }[] = [
  { name: "unknown service", text: doc(allow(["s3:GetObject", "s3x:GetObject"], "*")), type: "ERROR", code: "INVALID_SERVICE_IN_ACTION", paths: [["Statement", 0, "Action", 1]], message: "The service s3x specified in the action s3x:GetObject does not exist." },
  { name: "unknown action", text: doc(allow("s3:GetObjekt", "*")), type: "ERROR", code: "INVALID_ACTION", paths: [["Statement", 0, "Action"]], message: "The action s3:GetObjekt does not exist." },
  { name: "an action wildcard that matches nothing", text: doc(allow(["s3:Get*", "s3:Gett*"], "*")), type: "ERROR", code: "INVALID_ACTION", paths: [["Statement", 0, "Action", 1]], message: "The action s3:Gett* does not match any action of s3." },
  { name: "a global condition key AWS does not define", text: doc(allow("s3:GetObject", "*", { StringEquals: { "aws:PrincipalOrgIdentifier": "o-123" } })), type: "ERROR", code: "INVALID_GLOBAL_CONDITION_KEY", paths: [["Statement", 0, "Condition", "StringEquals", "aws:PrincipalOrgIdentifier"]], message: "The condition key aws:PrincipalOrgIdentifier does not exist. Use a valid condition key." },
  { name: "a service condition key its service does not define", text: doc(allow("s3:PutObject", "*", { StringEquals: { "s3:x-amz-object-lock-mode": "COMPLIANCE" } })), type: "ERROR", code: "INVALID_SERVICE_CONDITION_KEY", paths: [["Statement", 0, "Condition", "StringEquals", "s3:x-amz-object-lock-mode"]], message: "The condition key s3:x-amz-object-lock-mode does not exist in the service s3." },
  { name: "a condition key of a service the statement's actions are not of", text: doc(allow("s3:GetObject", "*", { StringEquals: { "ec2:InstanceType": "t3.micro" } })), type: "WARNING", code: "CONDITION_KEY_NOT_IN_STATEMENT_SERVICES", paths: [["Statement", 0, "Condition", "StringEquals", "ec2:InstanceType"]] },
  { name: "a String operator on a Date key", text: doc(allow("s3:GetObject", "*", { StringLessThan: {} }), allow("s3:GetObject", "*", { StringLike: { "aws:CurrentTime": "2026-*" } })), type: "WARNING", code: "TYPE_MISMATCH", paths: [["Statement", 1, "Condition", "StringLike", "aws:CurrentTime"]], message: "Use the operator type Date instead of operator StringLike for the condition key aws:CurrentTime." },
  { name: "a Numeric operator on a String key", text: doc(allow("s3:GetObject", "*", { NumericEquals: { "aws:PrincipalTag/level": "3" } })), type: "WARNING", code: "TYPE_MISMATCH", paths: [["Statement", 0, "Condition", "NumericEquals", "aws:PrincipalTag/level"]] },
  { name: "a Bool operator on an IP key", text: doc(allow("s3:GetObject", "*", { Bool: { "aws:SourceIp": "true" } })), type: "WARNING", code: "TYPE_MISMATCH", paths: [["Statement", 0, "Condition", "Bool", "aws:SourceIp"]] },
  { name: "a bucket ARN with an object action", text: doc(allow("s3:GetObject", ["arn:aws:s3:::b/*", "arn:aws:s3:::b"])), type: "WARNING", code: "RESOURCE_MATCHES_NO_RESOURCE_TYPE", paths: [["Statement", 0, "Resource", 1]] },
  { name: "an IAM ARN with S3 actions", text: doc(allow("s3:Get*", "arn:aws:iam::123456789012:user/bob")), type: "WARNING", code: "RESOURCE_MATCHES_NO_RESOURCE_TYPE", paths: [["Statement", 0, "Resource"]] },
  { name: "an ARN with actions that support only *", text: doc(allow("s3:ListAllMyBuckets", "arn:aws:s3:::b")), type: "WARNING", code: "RESOURCE_MATCHES_NO_RESOURCE_TYPE", paths: [["Statement", 0, "Resource"]] },
  { name: "a redundant action", text: doc(allow(["s3:Get*", "s3:GetObject"], "*")), type: "SUGGESTION", code: "REDUNDANT_ACTION", paths: [["Statement", 0, "Action", 1]] },
  { name: "a redundant statement", text: doc(allow("s3:Get*", "arn:aws:s3:::b/*"), allow("s3:GetObject", "arn:aws:s3:::b/x")), type: "SUGGESTION", code: "REDUNDANT_STATEMENT", paths: [["Statement", 1], ["Statement", 0]] },
];

describe("validatePolicy with the reference: one row per finding type, with its location", () => {
  it.each(rows)("$code — $name", ({ text, type, code, paths, message }) => {
    const all = validatePolicy(text, { reference });
    const found = all.filter((f) => f.issueCode === code);
    expect(found, JSON.stringify(all.map((f) => [f.issueCode, f.locations.map((l) => l.path)]))).toHaveLength(1);
    expect(found[0]?.findingType).toBe(type);
    expect(found[0]?.locations.map((l) => l.path)).toEqual(paths);
    if (message) expect(found[0]?.message).toBe(message);
    // The span points at the element in the text.
    const span = found[0]?.locations[0]?.span;
    expect(span && span.end.offset > span.start.offset).toBe(true);
  });
});

describe("validatePolicy with the reference: what is not a finding", () => {
  it.each([
    ["keys with placeholders (aws:ResourceTag/${TagKey}), any case", doc(allow("ec2:TerminateInstances", "*", { StringEquals: { "AWS:ResourceTag/Owner": "me" } }))],
    ["a service key of the statement's own service", doc(allow("s3:ListBucket", "arn:aws:s3:::b", { StringLike: { "s3:prefix": "home/*" } }))],
    ["an ARN operator on an ARN key, and a String operator on one", doc(allow("s3:GetObject", "*", { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:t" }, StringEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/r" } }))],
    ["a Date and a Numeric operator on aws:EpochTime", doc(allow("s3:GetObject", "*", { DateGreaterThan: { "aws:EpochTime": "1700000000" }, NumericLessThan: { "aws:EpochTime": "1900000000" } }))],
    ["object and bucket ARNs for their actions, with variables and wildcards", doc(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::b", "arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::*"]))],
    ["a wildcard service in the ARN", doc(allow("s3:GetObject", "arn:aws:*:::b/*"))],
    ["NotAction (any service): service keys of other services are fine", doc({ Effect: "Deny", NotAction: "iam:*", Resource: "*", Condition: { StringEquals: { "ec2:Region": "eu-west-1" } } })],
    ["an action the reference does not know: its resources are not judged", doc(allow("s3:GetObjekt", "arn:aws:iam::123456789012:user/bob"))],
  ])("%s", (_name, text) => {
    const codes = validatePolicy(text, { reference }).map((f) => f.issueCode);
    for (const c of ["INVALID_GLOBAL_CONDITION_KEY", "INVALID_SERVICE_CONDITION_KEY", "CONDITION_KEY_NOT_IN_STATEMENT_SERVICES", "TYPE_MISMATCH", "RESOURCE_MATCHES_NO_RESOURCE_TYPE"]) expect(codes).not.toContain(c);
  });
});

describe("validatePolicy with the reference never throws", () => {
  it.each([
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b","Condition":{"StringEquals":{"aws:":"x",":k":"y","s3:":"z"}}}}',
    '{"Statement":[{"Action":5,"Resource":[null],"Condition":{"Bool":[]}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:*","s3:*","??:Get","s3:${aws:username}"],"Resource":["arn:aws:s3:::${aws:username","arn:*","arn:aws:s3:::' + "*a".repeat(200) + '"]}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"Null":{"ec2:Region":"true"}}}]}',
  ])("%s", (text) => {
    expect(() => validatePolicy(text, { reference })).not.toThrow();
  });
});

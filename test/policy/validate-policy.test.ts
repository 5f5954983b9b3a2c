import { describe, expect, it } from "vitest";
import { validatePolicy, type Finding } from "../../src/policy/validate-policy.js";

const V = "2012-10-17";
const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: V, ...extra, Statement: statement });
const codes = (fs: Finding[]) => fs.map((f) => [f.findingType, f.issueCode, f.locations.map((l) => l.path)]);
const find = (fs: Finding[], code: string) => fs.filter((f) => f.issueCode === code);

// Each row: the AWS check (access-analyzer-reference-policy-checks) and where it points.
const rows: readonly {
  name: string;
  text: string;
  kind?: "identity" | "trust";
  type: Finding["findingType"];
  code: string;
  paths: (string | number)[][];
}[] = [
  { name: "missing action", text: doc([{ Effect: "Allow", Resource: "*" }]), type: "ERROR", code: "MISSING_ACTION", paths: [["Statement", 0]] },
  { name: "missing resource", text: doc([{ Effect: "Allow", Action: "s3:GetObject" }]), type: "ERROR", code: "MISSING_RESOURCE", paths: [["Statement", 0]] },
  { name: "missing effect", text: doc({ Action: "s3:GetObject", Resource: "*" }), type: "ERROR", code: "MISSING_EFFECT", paths: [["Statement"]] },
  { name: "invalid effect", text: doc([{ Effect: "allow", Action: "*", Resource: "*" }]), type: "ERROR", code: "INVALID_EFFECT", paths: [["Statement", 0, "Effect"]] },
  { name: "unknown statement element", text: doc([{ Effect: "Allow", Action: "*", Resource: "*", Resources: "*" }]), type: "ERROR", code: "INVALID_POLICY_ELEMENT", paths: [["Statement", 0, "Resources"]] },
  { name: "unknown top-level element", text: doc([{ Effect: "Allow", Action: "*", Resource: "*" }], { Foo: 1 }), type: "ERROR", code: "INVALID_POLICY_ELEMENT", paths: [["Foo"]] },
  { name: "invalid version", text: JSON.stringify({ Version: "2013-01-01", Statement: [] }), type: "ERROR", code: "INVALID_VERSION", paths: [["Version"]] },
  { name: "missing statement", text: JSON.stringify({ Version: V }), type: "ERROR", code: "MISSING_STATEMENT", paths: [[]] },
  { name: "missing version", text: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }), type: "WARNING", code: "MISSING_VERSION", paths: [[]] },
  { name: "Action with NotAction", text: doc([{ Effect: "Deny", Action: "s3:*", NotAction: "iam:*", Resource: "*" }]), type: "ERROR", code: "UNSUPPORTED_ELEMENT_COMBINATION", paths: [["Statement", 0, "NotAction"]] },
  { name: "Principal in an identity policy", text: doc([{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }]), type: "ERROR", code: "UNSUPPORTED_PRINCIPAL", paths: [["Statement", 0, "Principal"]] },
  { name: "wrong JSON type", text: doc([{ Effect: "Allow", Action: ["s3:GetObject", 7], Resource: "*" }]), type: "ERROR", code: "DATA_TYPE_MISMATCH", paths: [["Statement", 0, "Action", 1]] },
  { name: "action without service", text: doc([{ Effect: "Allow", Action: ["s3:GetObject", "GetObject"], Resource: "*" }]), type: "ERROR", code: "INVALID_ACTION", paths: [["Statement", 0, "Action", 1]] },
  { name: "unknown condition operator", text: doc([{ Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEqualz: { "aws:username": "bob" } } }]), type: "ERROR", code: "INVALID_CONDITION_OPERATOR", paths: [["Statement", 0, "Condition", "StringEqualz"]] },
  { name: "Null with IfExists", text: doc([{ Effect: "Deny", Action: "*", Resource: "*", Condition: { NullIfExists: { "aws:TokenIssueTime": "true" } } }]), type: "ERROR", code: "NULL_WITH_IF_EXISTS", paths: [["Statement", 0, "Condition", "NullIfExists"]] },
  { name: "resource not an ARN", text: doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::b/*", "bucket"] }]), type: "ERROR", code: "INVALID_ARN_PREFIX", paths: [["Statement", 0, "Resource", 1]] },
  { name: "ARN with too few fields", text: doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3" }]), type: "ERROR", code: "MISSING_ARN_FIELD", paths: [["Statement", 1, "Resource"]] },
  { name: "IAM ARN with an unknown resource type", text: doc([{ Effect: "Allow", Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:people/bob" }]), type: "ERROR", code: "INVALID_ARN_RESOURCE", paths: [["Statement", 0, "Resource"]] },
  { name: "IAM ARN with a Region", text: doc([{ Effect: "Allow", Action: "iam:GetUser", Resource: "arn:aws:iam:us-east-1:123456789012:user/bob" }]), type: "ERROR", code: "ARN_REGION_NOT_ALLOWED", paths: [["Statement", 0, "Resource"]] },
  { name: "bad account id", text: doc([{ Effect: "Allow", Action: "iam:GetUser", Resource: "arn:aws:iam::1234:user/bob" }]), type: "ERROR", code: "INVALID_ARN_ACCOUNT", paths: [["Statement", 0, "Resource"]] },
  { name: "unknown partition", text: doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:awz:s3:::b" }]), type: "ERROR", code: "INVALID_PARTITION", paths: [["Statement", 0, "Resource"]] },
  { name: "duplicate Sid", text: doc([{ Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "A", Effect: "Deny", Action: "s3:PutObject", Resource: "*" }]), type: "ERROR", code: "UNIQUE_SIDS_REQUIRED", paths: [["Statement", 0, "Sid"], ["Statement", 1, "Sid"]] },
  { name: "Sid with punctuation", text: doc([{ Sid: "read-only", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]), type: "ERROR", code: "UNSUPPORTED_SID", paths: [["Statement", 0, "Sid"]] },
  { name: "variable in Action", text: doc([{ Effect: "Allow", Action: "s3:${aws:username}", Resource: "*" }]), type: "ERROR", code: "VARIABLE_UNSUPPORTED_IN_ELEMENT", paths: [["Statement", 0, "Action"]] },
  { name: "variable with Version 2008-10-17", text: JSON.stringify({ Version: "2008-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username}/*" } }), type: "ERROR", code: "VARIABLE_UNSUPPORTED_IN_VERSION", paths: [["Statement", "Resource"]] },
  { name: "variable under a Numeric operator", text: doc([{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*", Condition: { NumericLessThan: { "s3:max-keys": "${aws:userid}" } } }]), type: "ERROR", code: "INVALID_VARIABLE_FOR_OPERATOR", paths: [["Statement", 0, "Condition", "NumericLessThan", "s3:max-keys"]] },
  { name: "variable missing its brace", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username/*" }]), type: "ERROR", code: "MISSING_BRACE_IN_VARIABLE", paths: [["Statement", 0, "Resource"]] },
  { name: "ForAllValues on aws:username", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:username": ["alice", "bob"] } } }]), type: "SECURITY_WARNING", code: "FORALLVALUES_WITH_SINGLE_VALUED_KEY", paths: [["Statement", 0, "Condition", "ForAllValues:StringEquals", "aws:username"]] },
  { name: "ForAllValues on aws:SourceIp", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { "ForAllValues:IpAddress": { "aws:SourceIp": "203.0.113.0/24" } } }]), type: "SECURITY_WARNING", code: "FORALLVALUES_WITH_SINGLE_VALUED_KEY", paths: [["Statement", 0, "Condition", "ForAllValues:IpAddress", "aws:SourceIp"]] },
  { name: "ForAllValues on aws:CurrentTime", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { "ForAllValues:DateLessThan": { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } }]), type: "SECURITY_WARNING", code: "FORALLVALUES_WITH_SINGLE_VALUED_KEY", paths: [["Statement", 0, "Condition", "ForAllValues:DateLessThan", "aws:CurrentTime"]] },
  { name: "Allow with NotAction (iamgraph check)", text: doc([{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" }]), type: "SECURITY_WARNING", code: "ALLOW_WITH_NOT_ACTION", paths: [["Statement", 0, "NotAction"]] },
  { name: "Allow with NotResource (iamgraph check)", text: doc([{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" }]), type: "SECURITY_WARNING", code: "ALLOW_WITH_NOT_RESOURCE", paths: [["Statement", 0, "NotResource"]] },
  { name: "Allow with NotPrincipal in a trust policy", kind: "trust", text: doc([{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }]), type: "SECURITY_WARNING", code: "ALLOW_WITH_NOT_PRINCIPAL", paths: [["Statement", 0, "NotPrincipal"]] },
  { name: "iam:PassRole on *", text: doc([{ Effect: "Allow", Action: ["iam:GetRole", "iam:PassRole"], Resource: "*" }]), type: "SECURITY_WARNING", code: "PASS_ROLE_WITH_STAR_IN_RESOURCE", paths: [["Statement", 0, "Resource"]] },
  { name: "iam:* on *", text: doc([{ Effect: "Allow", Action: "iam:*", Resource: ["arn:aws:s3:::b", "*"] }]), type: "SECURITY_WARNING", code: "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", paths: [["Statement", 0, "Resource", 1]] },
  { name: "iam:PassRole with NotResource", text: doc([{ Effect: "Allow", Action: "iam:PassRole", NotResource: "arn:aws:iam::123456789012:role/admin" }]), type: "SECURITY_WARNING", code: "PASS_ROLE_WITH_NOT_RESOURCE", paths: [["Statement", 0, "NotResource"]] },
  { name: "wildcard under StringEquals", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:SourceArn": "arn:aws:s3:::b/*" } } }]), type: "WARNING", code: "WILDCARD_WITHOUT_LIKE_OPERATOR", paths: [["Statement", 0, "Condition", "StringEquals", "aws:SourceArn"]] },
  { name: "? under ArnEquals", text: doc([{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": ["arn:aws:s3:::b", "arn:aws:s3:::b?"] } } }]), type: "WARNING", code: "WILDCARD_WITHOUT_LIKE_OPERATOR", paths: [["Statement", 0, "Condition", "ArnEquals", "aws:SourceArn", 1]] },
  { name: "Bool value not a Boolean", text: doc([{ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "no" } } }]), type: "WARNING", code: "TYPE_MISMATCH_BOOLEAN", paths: [["Statement", 0, "Condition", "Bool", "aws:SecureTransport"]] },
  { name: "IpAddress value not a CIDR", text: doc([{ Effect: "Deny", Action: "*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "300.1.1.1/8" } } }]), type: "WARNING", code: "TYPE_MISMATCH_IP_RANGE", paths: [["Statement", 0, "Condition", "NotIpAddress", "aws:SourceIp"]] },
  { name: "redundant statement", text: doc([{ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::b/*" }, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x" }]), type: "SUGGESTION", code: "REDUNDANT_STATEMENT", paths: [["Statement", 1], ["Statement", 0]] },
  { name: "duplicate statements: the later one is redundant", text: doc([{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }, { Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }]), type: "SUGGESTION", code: "REDUNDANT_STATEMENT", paths: [["Statement", 1], ["Statement", 0]] },
  { name: "redundant action", text: doc([{ Effect: "Allow", Action: ["iam:Get*", "iam:List*", "iam:GetCredentialReport"], Resource: "*" }]), type: "SUGGESTION", code: "REDUNDANT_ACTION", paths: [["Statement", 0, "Action", 2]] },
  { name: "redundant resource", text: doc([{ Effect: "Allow", Action: "iam:GetRole", Resource: ["arn:aws:iam::111122223333:role/jane-admin", "arn:aws:iam::111122223333:role/jane*"] }]), type: "SUGGESTION", code: "REDUNDANT_RESOURCE", paths: [["Statement", 0, "Resource", 0]] },
  { name: "empty Action array", text: doc([{ Effect: "Allow", Action: [], Resource: "*" }]), type: "SUGGESTION", code: "EMPTY_ARRAY_ACTION", paths: [["Statement", 0, "Action"]] },
  { name: "empty condition block", text: doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: {} }]), type: "SUGGESTION", code: "EMPTY_OBJECT_CONDITION", paths: [["Statement", 0, "Condition"]] },
  { name: "empty Sid", text: doc([{ Sid: "", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]), type: "SUGGESTION", code: "EMPTY_SID_VALUE", paths: [["Statement", 0, "Sid"]] },
  { name: "trust policy without principal", kind: "trust", text: doc([{ Effect: "Allow", Action: "sts:AssumeRole" }]), type: "ERROR", code: "MISSING_PRINCIPAL", paths: [["Statement", 0]] },
  { name: "trust policy with Resource", kind: "trust", text: doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }]), type: "ERROR", code: "INVALID_POLICY_ELEMENT", paths: [["Statement", 0, "Resource"]] },
];

describe("validatePolicy: each check, with its location", () => {
  it.each(rows)("$code — $name", ({ text, kind, type, code, paths }) => {
    const found = find(validatePolicy(text, { kind: kind ?? "identity" }), code);
    expect(found, JSON.stringify(codes(validatePolicy(text, { kind: kind ?? "identity" })))).toHaveLength(1);
    expect(found[0]?.findingType).toBe(type);
    expect(found[0]?.locations.map((l) => l.path)).toEqual(paths);
  });
});

describe("validatePolicy: whole documents", () => {
  it("a clean policy has no findings", () => {
    const text = doc([
      { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/home/${aws:username}/*"] },
      { Sid: "Tls", Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } },
    ]);
    expect(validatePolicy(text)).toEqual([]);
  });

  it("a clean trust policy has no findings", () => {
    const text = doc([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(validatePolicy(text, { kind: "trust" })).toEqual([]);
  });

  it("reports every problem, not just the first, most severe first", () => {
    const text = doc([
      { Effect: "Allow", Resource: "*" },
      { Effect: "Allow", Action: "s3:GetObject" },
      { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" },
    ]);
    expect(codes(validatePolicy(text))).toEqual([
      ["ERROR", "MISSING_ACTION", [["Statement", 0]]],
      ["ERROR", "MISSING_RESOURCE", [["Statement", 1]]],
      ["SECURITY_WARNING", "ALLOW_WITH_NOT_ACTION", [["Statement", 2, "NotAction"]]],
    ]);
  });

  it("locations carry the span of the element in the text", () => {
    const text = `{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]\n}`;
    const [f] = find(validatePolicy(text), "PASS_ROLE_WITH_STAR_IN_RESOURCE");
    const span = f?.locations[0]?.span;
    expect(span && text.slice(span.start.offset, span.end.offset)).toBe('"*"');
    expect(span?.start.line).toBe(3);
    expect(span?.start.column).toBe(text.split("\n")[2]?.indexOf('"*"'));
  });

  it.each([
    ["not JSON at all", "This is not a json document", 1, 0, 0],
    ["a missing brace", '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow"}', 2, 33, 59],
    ["a trailing comma", '{"Version": "2012-10-17",}', 1, 25, 25],
  ])("unparseable JSON (%s) is one JSON_SYNTAX_ERROR with its position", (_name, text, line, column, offset) => {
    const fs = validatePolicy(text);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ findingType: "ERROR", issueCode: "JSON_SYNTAX_ERROR", locations: [{ path: [], span: { start: { line, column, offset } } }] });
  });

  it("never throws, whatever the input", () => {
    for (const t of ["", "null", "[]", "42", '"x"', '{"Statement": 5}', '{"Statement": [1, null, {}]}', '{"Statement": {"Condition": {"StringEquals": 3}}}']) {
      expect(() => validatePolicy(t)).not.toThrow();
      expect(() => validatePolicy(t, { kind: "trust" })).not.toThrow();
    }
  });

  it("a policy over the managed-policy size quota is flagged", () => {
    const actions = Array.from({ length: 400 }, (_, i) => `s3:GetObjectVersion${i}`);
    const fs = validatePolicy(doc([{ Effect: "Allow", Action: actions, Resource: "*" }]));
    expect(find(fs, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA")).toHaveLength(1);
  });
});

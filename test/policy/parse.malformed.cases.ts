// Malformed identity policies and the MalformedPolicyDocument reason AWS returns for each.
// The documents and messages are the ones AWS was observed to return (collected in moto's
// tests/test_iam/test_iam_policies.py); `managed: true` rows are CreatePolicy calls, which
// also refuse a missing or 2008-10-17 Version.

export interface MalformedCase {
  readonly name: string;
  readonly doc: unknown;
  readonly reason: string;
  readonly managed?: boolean;
}

const V = "2012-10-17";
const B = "arn:aws:s3:::example_bucket";
const st = (s: Record<string, unknown>) => ({ Version: V, Statement: s });
const SYNTAX = "Syntax errors in policy.";
const VERSION = "Policy document must be version 2012-10-17 or greater.";
const LEGACY = "The policy failed legacy parsing";
const VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const ACTIONS = "Policy statement must contain actions.";
const RESOURCES = "Policy statement must contain resources.";
const ONE_COLON = "Actions/Condition can contain only one colon.";
const ok = { Effect: "Allow", Action: "s3:ListBucket", Resource: B };

export const malformedCases: readonly MalformedCase[] = [
  { name: "not JSON", doc: "This is not a json document", reason: SYNTAX },
  { name: "managed: no Version", doc: { Statement: ok }, reason: VERSION, managed: true },
  { name: "managed: Version 2008-10-17", doc: { Version: "2008-10-17", Statement: ok }, reason: VERSION, managed: true },
  { name: "unknown Version", doc: { Version: "2013-10-17", Statement: ok }, reason: SYNTAX },
  { name: "no Statement", doc: { Version: V }, reason: SYNTAX },
  { name: "statement is a string", doc: { Version: V, Statement: ["afd"] }, reason: SYNTAX },
  { name: "unknown top-level element", doc: { Version: V, Statement: ok, "Extra field": "value" }, reason: SYNTAX },
  { name: "unknown statement element", doc: st({ ...ok, "Extra field": "value" }), reason: SYNTAX },
  { name: "Id is an array", doc: { Version: V, Id: ["cd3a"], Statement: ok }, reason: SYNTAX },
  { name: "Id is an object", doc: { Version: V, Id: {}, Statement: ok }, reason: SYNTAX },
  { name: "Effect not Allow/Deny", doc: st({ ...ok, Effect: "invalid" }), reason: SYNTAX },
  { name: "action without vendor", doc: st({ ...ok, Action: "invalid" }), reason: VENDOR },
  { name: "empty NotAction", doc: st({ Effect: "Allow", NotAction: "", Resource: B }), reason: VENDOR },
  { name: "vendor with a space", doc: st({ ...ok, Action: "a a:ListBucket" }), reason: "Vendor a a is not valid" },
  { name: "two colons in action", doc: st({ ...ok, Action: "s3:List:Bucket" }), reason: ONE_COLON },
  {
    name: "two colons in the second statement",
    doc: { Version: V, Statement: [{ ...ok, Action: "s3s:ListBucket" }, { ...ok, Action: "s:3s:ListBucket" }] },
    reason: ONE_COLON,
  },
  { name: "resource not an ARN", doc: st({ ...ok, Resource: "invalid resource" }), reason: 'Resource invalid resource must be in ARN format or "*".' },
  {
    name: "empty resource in two statements",
    doc: {
      Version: V,
      Statement: [
        { Sid: "EnableDisableHongKong", Effect: "Allow", Action: ["account:EnableRegion", "account:DisableRegion"], Resource: "", Condition: { StringEquals: { "account:TargetRegion": "ap-east-1" } } },
        { Sid: "ViewConsole", Effect: "Allow", Action: ["aws-portal:ViewAccount", "account:ListRegions"], Resource: "" },
      ],
    },
    reason: 'Resource  must be in ARN format or "*".',
  },
  { name: "resource error wins over action colons", doc: st({ Effect: "Allow", Action: "s:3:ListBucket", Resource: "sdfsadf" }), reason: 'Resource sdfsadf must be in ARN format or "*".' },
  { name: "resource list not an ARN", doc: st({ ...ok, Resource: ["adf"] }), reason: 'Resource adf must be in ARN format or "*".' },
  { name: "empty resource", doc: st({ ...ok, Resource: "" }), reason: 'Resource  must be in ARN format or "*".' },
  { name: "partition only", doc: st({ Effect: "Allow", NotAction: "s3s:ListBucket", Resource: "a:bsdfdsafsad" }), reason: 'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".' },
  { name: "partition and service", doc: st({ Effect: "Allow", NotAction: "s3s:ListBucket", Resource: "a:b:cadfsdf" }), reason: 'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".' },
  { name: "partition with many fields", doc: st({ Effect: "Allow", NotAction: "s3s:ListBucket", Resource: "a:b:c:d:e:f:g:h" }), reason: 'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".' },
  { name: "missing arn prefix", doc: st({ ...ok, Resource: "aws:s3:::example_bucket" }), reason: 'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".' },
  {
    name: "two bad partitions: the smallest value is reported",
    doc: st({ ...ok, Resource: ["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"] }),
    reason: 'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".',
  },
  { name: "empty statement list", doc: { Version: V, Statement: [] }, reason: SYNTAX },
  { name: "no Resource", doc: st({ Effect: "Allow", Action: "s3:ListBucket" }), reason: RESOURCES },
  { name: "empty Resource list", doc: st({ Effect: "Allow", Action: "s3:ListBucket", Resource: [] }), reason: RESOURCES },
  { name: "vendor check before resource presence", doc: st({ Effect: "Allow", Action: "invalid" }), reason: VENDOR },
  { name: "no Action", doc: st({ Effect: "Allow", Resource: B }), reason: ACTIONS },
  { name: "no Effect", doc: st({ Action: "s3:ListBucket", Resource: B }), reason: SYNTAX },
  { name: "only Effect", doc: st({ Effect: "Allow" }), reason: ACTIONS },
  { name: "empty Action list", doc: st({ Effect: "Allow", Action: [], Resource: B }), reason: ACTIONS },
  { name: "first statement has no action", doc: { Version: V, Statement: [{ Effect: "Deny" }, ok] }, reason: ACTIONS },
  {
    name: "IAM resource without a resource type",
    doc: st({ ...ok, Resource: "arn:aws:iam:::example_bucket" }),
    reason: 'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
  },
  { name: "too few colons", doc: st({ ...ok, Resource: "arn:aws:s3::example_bucket" }), reason: LEGACY },
  { name: "too few colons, no action", doc: st({ Effect: "Allow", Resource: "arn:aws:s3::example_bucket" }), reason: LEGACY },
  { name: "no service", doc: st({ ...ok, Resource: "arn:aws" }), reason: "Resource vendor must be fully qualified and cannot contain regexes." },
  { name: "Resource is an object", doc: st({ ...ok, Resource: { a: B } }), reason: SYNTAX },
  { name: "Resource list holds an object", doc: st({ Effect: "Deny", Action: "s3:ListBucket", Resource: ["adfdf", {}] }), reason: SYNTAX },
  { name: "Resource and NotResource", doc: st({ Effect: "Allow", NotAction: "s3:ListBucket", Resource: B, NotResource: [] }), reason: SYNTAX },
  { name: "nested Action list", doc: st({ Effect: "Deny", Action: [[]], Resource: B }), reason: SYNTAX },
  { name: "Action and NotAction", doc: st({ Effect: "Allow", NotAction: "s3s:ListBucket", Action: [], Resource: B }), reason: SYNTAX },
  { name: "Action is an object", doc: st({ Effect: "Allow", Action: {}, Resource: B }), reason: SYNTAX },
  { name: "Condition is a list", doc: st({ ...ok, Condition: [] }), reason: SYNTAX },
  { name: "Condition is a string", doc: st({ ...ok, Condition: "a" }), reason: SYNTAX },
  { name: "unknown operator with a string", doc: st({ ...ok, Condition: { a: "b" } }), reason: SYNTAX },
  { name: "operator block is a string", doc: st({ ...ok, Condition: { DateGreaterThan: "b" } }), reason: SYNTAX },
  { name: "operator block is a list", doc: st({ ...ok, Condition: { DateGreaterThan: [] } }), reason: SYNTAX },
  { name: "condition value is an object", doc: st({ ...ok, Condition: { DateGreaterThan: { a: {} } } }), reason: SYNTAX },
  { name: "condition value is an object, no action", doc: st({ Effect: "Allow", Resource: B, Condition: { DateGreaterThan: { a: {} } } }), reason: SYNTAX },
  { name: "unknown operator with keys", doc: st({ ...ok, Condition: { x: { a: "1" } } }), reason: SYNTAX },
  { name: "double colon after ForAnyValue", doc: st({ ...ok, Condition: { "ForAnyValue::StringEqualsIfExists": { a: "asf" } } }), reason: SYNTAX },
  { name: "Condition is a list of blocks", doc: st({ ...ok, Condition: [{ "ForAllValues:StringEquals": { "aws:TagKeys": "Department" } }] }), reason: SYNTAX },
  { name: "IAM resource with a region", doc: st({ ...ok, Resource: "arn:aws:iam:us-east-1::example_bucket" }), reason: "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information." },
  { name: "S3 bucket with a region", doc: st({ ...ok, Resource: "arn:aws:s3:us-east-1::example_bucket" }), reason: "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information." },
  { name: "Sid is an object", doc: st({ ...ok, Sid: {} }), reason: SYNTAX },
  { name: "Sid is a list", doc: st({ ...ok, Sid: [] }), reason: SYNTAX },
  { name: "duplicate Sid", doc: { Version: V, Statement: [{ Sid: "sdf", ...ok }, { Sid: "sdf", Effect: "Allow" }] }, reason: "Statement IDs (SID) in a single policy must be unique." },
  { name: "managed: version before SID", doc: { Statement: [{ Sid: "sdf", ...ok }, { Sid: "sdf", Effect: "Allow" }] }, reason: VERSION, managed: true },
  { name: "NotAction and Action", doc: st({ Effect: "Allow", NotAction: "s3:ListBucket", Action: "iam:dsf", Resource: B }), reason: SYNTAX },
  { name: "Resource and NotResource *", doc: st({ ...ok, NotResource: "*" }), reason: SYNTAX },
  { name: "Effect in the wrong case", doc: st({ ...ok, Effect: "denY" }), reason: LEGACY },
  { name: "Date value not a date", doc: st({ ...ok, Condition: { DateGreaterThan: { a: "sdfdsf" } } }), reason: LEGACY },
  { name: "managed: version before legacy date", doc: { Statement: { ...ok, Condition: { DateGreaterThan: { a: "sdfdsf" } } } }, reason: VERSION, managed: true },
  { name: "managed: version before legacy effect", doc: { Statement: { ...ok, Effect: "denY" } }, reason: VERSION, managed: true },
  { name: "legacy date before missing action", doc: st({ Effect: "Allow", Condition: { DateGreaterThan: { a: "sdfdsf" } } }), reason: LEGACY },
  { name: "empty service", doc: st({ Effect: "Allow", NotAction: "s3:ListBucket", Resource: "arn:aws::::example_bucket" }), reason: LEGACY },
  { name: "effect case before resource region", doc: st({ Effect: "allow", Resource: "arn:aws:s3:us-east-1::example_bucket" }), reason: LEGACY },
  { name: "effect case before duplicate Sid", doc: { Version: V, Statement: [{ Sid: "sdf", ...ok, Effect: "aLLow" }, { Sid: "sdf", Effect: "Allow" }] }, reason: LEGACY },
  { name: "NotResource with too few colons", doc: st({ Effect: "Allow", Action: "s3:ListBucket", NotResource: "arn:aws:s3::example_bucket" }), reason: LEGACY },
  { name: "Date month 13", doc: st({ ...ok, Condition: { DateLessThanEquals: { a: "234-13" } } }), reason: LEGACY },
  { name: "Date zone hour of one digit", doc: st({ ...ok, Condition: { DateLessThanEquals: { a: "2016-12-13t2:00:00.593194+1" } } }), reason: LEGACY },
  { name: "Date fraction too long", doc: st({ ...ok, Condition: { DateLessThanEquals: { a: "2016-12-13t2:00:00.1999999999+10:59" } } }), reason: LEGACY },
  { name: "epoch beyond 2^63-1", doc: st({ ...ok, Condition: { DateLessThan: { a: "9223372036854775808" } } }), reason: LEGACY },
  { name: "legacy date before bad partition", doc: st({ ...ok, Resource: "arn:error:s3:::example_bucket", Condition: { DateGreaterThan: { a: "sdfdsf" } } }), reason: LEGACY },
  { name: "empty service, three fields", doc: st({ ...ok, Resource: "arn:aws::fdsasf" }), reason: LEGACY },
  // Identity policies carry no principal (reference_policies_elements_principal).
  { name: "Principal in an identity policy", doc: st({ ...ok, Principal: { AWS: "*" } }), reason: "Policy document should not specify a principal." },
  { name: "NotPrincipal in an identity policy", doc: st({ ...ok, NotPrincipal: "*" }), reason: "Policy document should not specify a principal." },
];

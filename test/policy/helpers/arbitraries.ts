// Generators of well-formed (normalised) policy documents and requests, shared by the property tests.

import fc from "fast-check";
import type { ConditionClause, PolicyDocument, PolicyStatement } from "../../../src/policy/document.js";
import { type AuthorizationRequest, type ContextEntry, buildContext } from "../../../src/policy/request.js";

const ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:CreateUser", "ec2:RunInstances", "sts:GetCallerIdentity"];
const ACTION_PATTERNS = [...ACTIONS, "*", "s3:*", "*Object", "iam:?reateUser", "S3:get*", "ec2:*", "*:*"];
const RESOURCES = ["arn:aws:s3:::b/k", "arn:aws:s3:::b/alice/k", "arn:aws:iam::1:user/alice", "*"];
const RESOURCE_PATTERNS = [...RESOURCES, "arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:iam::1:user/${aws:username, 'x'}", "arn:aws:*", "${*}"];
const OPERATORS = [
  "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase", "ForAllValues:StringEquals",
  "ForAnyValue:StringLike", "ForAnyValue:StringNotEquals", "StringEqualsIfExists", "NumericLessThan", "NumericNotEquals",
  "DateGreaterThan", "DateNotEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnLike", "ArnNotEquals", "Null",
  "NullIfExists", "ForAllValues:Null", "SomethingUnknown", "ForAllValues:NumericGreaterThanEqualsIfExists",
];
const KEYS = ["aws:username", "aws:TagKeys", "aws:SourceIp", "app:n", "aws:CurrentTime", "aws:PrincipalArn", "AWS:UserName"];
const VALUES = [
  "alice", "bob", "a*", "${aws:username}", "${aws:PrincipalTag/x, 'd'}", "${*}", "10", "-1.5", "true", "false",
  "2020-01-01T00:00:00Z", "1700000000", "10.0.0.0/8", "2001:db8::/32", "QQ==", "arn:aws:iam::1:user/*", "", "${", "}",
];

export const clause: fc.Arbitrary<ConditionClause> = fc.record({
  operator: fc.constantFrom(...OPERATORS),
  key: fc.constantFrom(...KEYS),
  values: fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
});

export const statement = (effect?: "Allow" | "Deny"): fc.Arbitrary<PolicyStatement> =>
  fc
    .record({
      // Allow three times as often as Deny: with even odds a Deny matches most requests that
      // some Allow matches, and allowed comes out too rarely to test anything.
      effect:
        effect === undefined
          ? fc.oneof({ arbitrary: fc.constant<"Allow" | "Deny">("Allow"), weight: 3 }, { arbitrary: fc.constant<"Allow" | "Deny">("Deny"), weight: 1 })
          : fc.constant(effect),
      notAction: fc.boolean(),
      actions: fc.array(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }),
      notResource: fc.boolean(),
      resources: fc.array(fc.constantFrom(...RESOURCE_PATTERNS), { minLength: 1, maxLength: 2 }),
      conditions: fc.array(clause, { maxLength: 3 }),
      sid: fc.option(fc.constantFrom("A", "B"), { nil: undefined }),
    })
    .map((s) => ({
      effect: s.effect,
      ...(s.notAction ? { notAction: s.actions } : { action: s.actions }),
      ...(s.notResource ? { notResource: s.resources } : { resource: s.resources }),
      conditions: s.conditions,
      ...(s.sid === undefined ? {} : { sid: s.sid }),
    }));

export const document: fc.Arbitrary<PolicyDocument> = fc.record({
  version: fc.constantFrom<"2012-10-17" | "2008-10-17">("2012-10-17", "2008-10-17"),
  statements: fc.array(statement(), { minLength: 1, maxLength: 4 }),
});

export const policies = fc.array(document, { maxLength: 4 });

export const contextEntry: fc.Arbitrary<ContextEntry> = fc.record({
  key: fc.constantFrom(...KEYS, "aws:PrincipalTag/x"),
  type: fc.constantFrom("string", "stringList", "ip", "date", "numeric", "boolean", "binary") as fc.Arbitrary<ContextEntry["type"]>,
  values: fc.array(
    fc.constantFrom("alice", "bob", "a", "10", "1", "true", "10.1.2.3", "2001:db8::1", "2021-06-01T00:00:00Z", "QQ", "arn:aws:iam::1:user/alice", "*", ""),
    { maxLength: 3 },
  ),
});

export const request: fc.Arbitrary<AuthorizationRequest> = fc.record({
  action: fc.constantFrom(...ACTIONS, "S3:GETOBJECT", "unknown"),
  resource: fc.constantFrom(...RESOURCES, "arn:aws:s3:::b/${aws:username}/k"),
  context: fc.array(contextEntry, { maxLength: 5 }).map(buildContext),
});

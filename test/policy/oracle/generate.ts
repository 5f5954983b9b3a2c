// Seeded random policy sets and requests for the differential test (oracle.test.ts): every
// operator family, IfExists, Null, ForAllValues/ForAnyValue (with empty and one-value sets),
// policy variables, NotAction/NotResource, permissions boundaries, and contexts that leave keys
// out. Documents are JSON values, given as written to both engines.

import { prng } from "../../support/prng.js";

export const ACCOUNT = "123456789012";
export const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/alice`;

type Rng = ReturnType<typeof prng>;
type Json = Record<string, unknown>;

export interface OracleCase {
  readonly identity: Json[];
  readonly boundary?: Json[];
  readonly action: string;
  readonly resource: string;
  /** A string is a single-valued key, an array a multivalued one (possibly empty). */
  readonly context: Record<string, string | string[]>;
}

// Services the peer authorizes with its default rules (it has service-specific ones for iam,
// sts, kms and s3, which iamgraph's identity-only evaluator does not model).
// The peer checks a request's resource against the action's resource types, so each request
// pairs an action with a resource it can act on. No request is for resource "*": the peer
// lets any Resource element match it (as for actions without resource-level permissions),
// which a request for a named resource never meets.
const REQUESTS: readonly (readonly [string, string])[] = [
  ["ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
  ["dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/alice"],
  ["dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/bob"],
  ["sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue-a"],
  ["sns:Publish", "arn:aws:sns:us-east-1:123456789012:topic-a"],
];
const ACTIONS = REQUESTS.map(([action]) => action);
const ACTION_PATTERNS = [...ACTIONS, "*", "ec2:*", "ec2:Describe*", "dynamodb:?etItem", "dynamodb:*Item", "SQS:send*", "sns:*", "*:*", "lambda:*"];
const RESOURCES = REQUESTS.map(([, resource]) => resource);
const RESOURCE_PATTERNS = [
  ...RESOURCES,
  "*",
  "arn:aws:ec2:*:*:instance/*",
  "arn:aws:dynamodb:us-east-1:123456789012:table/${aws:username}",
  "arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/team}",
  "arn:aws:dynamodb:us-east-1:123456789012:table/?ob",
  "arn:aws:sqs:*:*:*",
  "arn:aws:sns:us-east-1:*:topic-?",
];

type Family = "string" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn";

interface Key {
  readonly name: string;
  readonly family: Family;
  readonly multi?: boolean;
}

const KEYS: readonly Key[] = [
  { name: "aws:username", family: "string" },
  { name: "aws:PrincipalTag/team", family: "string" },
  { name: "aws:RequestedRegion", family: "string" },
  { name: "app:count", family: "numeric" },
  { name: "aws:CurrentTime", family: "date" },
  { name: "aws:EpochTime", family: "date" },
  { name: "aws:SecureTransport", family: "bool" },
  { name: "aws:MultiFactorAuthPresent", family: "bool" },
  { name: "app:blob", family: "binary" },
  { name: "aws:SourceIp", family: "ip" },
  { name: "aws:SourceArn", family: "arn" },
  { name: "aws:PrincipalArn", family: "arn" },
  { name: "aws:TagKeys", family: "string", multi: true },
  { name: "app:ports", family: "numeric", multi: true },
];

const OPERATORS: Record<Family, readonly string[]> = {
  string: ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"],
  numeric: ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"],
  date: ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"],
  bool: ["Bool"],
  binary: ["BinaryEquals"],
  ip: ["IpAddress", "NotIpAddress"],
  arn: ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
};

// Policy values per family: ordinary ones, near misses, and variables where the family takes them.
const POLICY_VALUES: Record<Family, readonly string[]> = {
  string: ["alice", "bob", "Alice", "a*", "*", "?ob", "team-1", "us-east-1", "us-*", "${aws:username}", "${aws:PrincipalTag/team}", "${aws:PrincipalTag/team, 'none'}", "${*}", "env", "owner", "o*", ""],
  numeric: ["10", "0", "-1", "2.5", "443", "100", "010"],
  date: ["2026-01-01T00:00:00Z", "2026-06-01", "2025-12-31T23:59:59Z", "1767225600", "2026-01-01T01:00:00+01:00"],
  bool: ["true", "false"],
  binary: ["QUJD", "QUJDRA==", "YWxpY2U="],
  ip: ["0.0.0.0/0", "::/0", "10.0.0.0/8", "10.1.2.3/32", "192.168.0.0/16", "203.0.113.7", "2001:db8::/32", "10.0.0.0/24"],
  arn: [
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:user/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:sqs:us-east-1:123456789012:queue-*",
    "arn:aws:sqs:*:*:*",
    "arn:aws:*:*:123456789012:*",
  ],
};

const CONTEXT_VALUES: Record<string, readonly string[]> = {
  "aws:username": ["alice", "bob", "Alice", "a*"],
  "aws:principaltag/team": ["team-1", "alice", "bob", ""],
  "aws:requestedregion": ["us-east-1", "eu-west-1"],
  "app:count": ["10", "9", "11", "0", "-1", "2.5", "10.0", "100"],
  "aws:currenttime": ["2026-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "2026-03-01T00:00:00Z", "2025-12-31T23:59:59Z"],
  "aws:epochtime": ["1767225600", "1767225599", "1780000000"],
  "aws:securetransport": ["true", "false"],
  "aws:multifactorauthpresent": ["true", "false"],
  "app:blob": ["QUJD", "QUJDRA==", "QUJDRA", "YWxpY2U="],
  "aws:sourceip": ["10.1.2.3", "10.0.0.9", "192.168.1.1", "203.0.113.7", "2001:db8::1", "198.51.100.1"],
  "aws:sourcearn": ["arn:aws:sqs:us-east-1:123456789012:queue-a", "arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sqs:eu-west-1:999999999999:other"],
  "aws:principalarn": [PRINCIPAL, "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::999999999999:user/alice"],
  "aws:tagkeys": ["env", "owner", "cost", "Env"],
  "app:ports": ["443", "80", "10", "8080"],
};

function clause(rng: Rng): [string, string, string | string[]] {
  const key = rng.pick(KEYS);
  const roll = rng.next();
  let operator: string;
  // Mostly the key's own family; sometimes another one (a date key under a string operator...).
  const family = rng.next() < 0.85 ? key.family : rng.pick(Object.keys(OPERATORS) as Family[]);
  if (roll < 0.1) operator = "Null";
  else {
    operator = rng.pick(OPERATORS[family]);
    if (rng.next() < 0.2) operator += "IfExists";
    const set = rng.next();
    // Set operators mostly on multivalued keys, where AWS requires them.
    const setShare = key.multi === true ? 0.85 : 0.15;
    if (set < setShare / 2) operator = `ForAllValues:${operator}`;
    else if (set < setShare) operator = `ForAnyValue:${operator}`;
  }
  const values = operator === "Null" ? rng.some(["true", "false"], 1) : rng.some(POLICY_VALUES[family], 1 + rng.int(3));
  return [operator, key.name, values.length === 1 && rng.next() < 0.5 ? values[0]! : values];
}

function statement(rng: Rng, effect: "Allow" | "Deny"): Json {
  const s: Json = { Effect: effect };
  const actions = rng.some(ACTION_PATTERNS, 1 + rng.int(2));
  s[rng.next() < 0.15 ? "NotAction" : "Action"] = actions.length === 1 ? actions[0] : actions;
  const resources = rng.some(RESOURCE_PATTERNS, 1 + rng.int(2));
  s[rng.next() < 0.15 ? "NotResource" : "Resource"] = resources.length === 1 ? resources[0] : resources;
  const n = rng.int(4);
  if (n > 0) {
    const condition: Record<string, Record<string, string | string[]>> = {};
    for (let i = 0; i < n; i++) {
      const [op, key, values] = clause(rng);
      (condition[op] ??= {})[key] = values;
    }
    s.Condition = condition;
  }
  return s;
}

function document(rng: Rng, allowShare: number): Json {
  const count = 1 + rng.int(3);
  return {
    // The legacy version reads policy variables as literal text.
    Version: rng.next() < 0.1 ? "2008-10-17" : "2012-10-17",
    Statement: Array.from({ length: count }, () => statement(rng, rng.next() < allowShare ? "Allow" : "Deny")),
  };
}

function context(rng: Rng): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of KEYS) {
    // Leave keys out often: the missing-key rules are half of condition semantics.
    if (rng.next() < 0.35) continue;
    const pool = CONTEXT_VALUES[key.name.toLowerCase()]!;
    out[key.name] = key.multi === true ? rng.some(pool, rng.int(4)) : rng.pick(pool);
  }
  return out;
}

/** Case `index` of the run seeded with `seed`: the same pair always gives the same case. */
export function oracleCase(seed: number, index: number): OracleCase {
  const rng = prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const identity = Array.from({ length: 1 + rng.int(3) }, () => document(rng, 0.75));
  const withBoundary = rng.next() < 0.3;
  return {
    identity,
    ...(withBoundary ? { boundary: [document(rng, 0.8)] } : {}),
    ...(([action, resource]) => ({ action, resource }))(rng.pick(REQUESTS)),
    context: context(rng),
  };
}

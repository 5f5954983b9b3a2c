import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { loadConfig } from "../../src/config/config.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { testEnv } from "../support/root-key.js";
import { prng } from "../support/prng.js";

// WhoCan narrows "who may do X on Y" to the principals holding a policy that could allow X, then
// evaluates only those. The specification is the naive answer: evaluate every user and role.
// A seeded random account (50 users, 10 groups, 20 policies, 5 roles; wildcards, NotAction,
// Deny, conditions on principal tags, resource patterns, boundaries) is asked about 20 actions
// on several resources, before and after random changes that must refresh WhoCan's index.

const account = "123456789012";
const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;


const actions = [
  "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
  "ec2:DescribeInstances", "ec2:RunInstances", "ec2:TerminateInstances",
  "iam:GetUser", "iam:CreateUser", "iam:PassRole",
  "sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish",
  "dynamodb:GetItem", "dynamodb:PutItem", "lambda:InvokeFunction",
  "kms:Decrypt", "logs:PutLogEvents", "cloudwatch:GetMetricData", "sts:GetCallerIdentity",
];
const actionPatterns = [...actions, "s3:*", "s3:Get*", "ec2:Describe*", "iam:Get*", "sqs:*", "dynamodb:*Item"];
const resources = ["*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*", "arn:aws:s3:::bucket-${aws:PrincipalTag/team}/*", "arn:aws:sqs:us-east-1:123456789012:queue-?"];
const requestResources = ["arn:aws:s3:::bucket-a/report.csv", "arn:aws:s3:::bucket-red/x", "arn:aws:sqs:us-east-1:123456789012:queue-1", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"];
const teams = ["red", "blue", "green"];

/** One random statement; mostly Allow, sometimes Deny, NotAction, or a PrincipalTag condition. */
function randomStatement(r: ReturnType<typeof prng>): Record<string, unknown> {
  const effect = r.next() < 0.15 ? "Deny" : "Allow";
  const actionList = r.some(actionPatterns, 1 + r.int(3));
  const statement: Record<string, unknown> = r.next() < 0.08 ? { Effect: effect, NotAction: actionList } : { Effect: effect, Action: actionList };
  statement["Resource"] = r.next() < 0.5 ? "*" : r.some(resources, 1 + r.int(2));
  if (r.next() < 0.2) statement["Condition"] = { StringEquals: { "aws:PrincipalTag/team": r.pick(teams) } };
  return statement;
}

const randomDocument = (r: ReturnType<typeof prng>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: 1 + r.int(3) }, () => randomStatement(r)) });

describe.each(backends)("WhoCan on $name", (backend) => {
  let db: TestDatabase;
  let app: Iamgraph;
  const r = prng(20261128);
  const users = Array.from({ length: 50 }, (_, i) => `user${String(i).padStart(2, "0")}`);
  const groups = Array.from({ length: 10 }, (_, i) => `group${i}`);
  const policies = Array.from({ length: 20 }, (_, i) => `policy${String(i).padStart(2, "0")}`);
  const roles = Array.from({ length: 5 }, (_, i) => `role${i}`);

  const handle = (command: Command) => app.commands.handle(command, { actor: `arn:aws:iam::${account}:user/admin` });
  /** Random changes may be refused (quotas, no-ops); that is fine, they must then change nothing. */
  const tryHandle = async (command: Command) => {
    try {
      await handle(command);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  };

  beforeAll(async () => {
    db = await backend.open({ poolSize: 10 });
    app = await startIamgraph(loadConfig(testEnv), { db, logger: pino({ level: "silent" }) });
    for (const p of policies) await handle({ type: "CreatePolicy", policyName: p, path: "/", policyDocument: randomDocument(r), description: "", tags: [] });
    for (const g of groups) await handle({ type: "CreateGroup", groupName: g, path: "/" });
    for (const g of groups) {
      for (const p of r.some(policies, r.int(3))) await handle({ type: "AttachPolicy", entityType: "group", entityName: g, policyArn: policyArn(p) });
      if (r.next() < 0.3) await handle({ type: "PutInlinePolicy", entityType: "group", entityName: g, policyName: "inline", policyDocument: randomDocument(r) });
    }
    for (const u of users) {
      await handle({ type: "CreateUser", userName: u, path: "/", tags: r.next() < 0.7 ? [{ key: "team", value: r.pick(teams) }] : [] });
      for (const g of r.some(groups, r.int(4))) await handle({ type: "AddUserToGroup", userName: u, groupName: g });
      if (r.next() < 0.3) await handle({ type: "AttachPolicy", entityType: "user", entityName: u, policyArn: policyArn(r.pick(policies)) });
      if (r.next() < 0.15) await handle({ type: "PutInlinePolicy", entityType: "user", entityName: u, policyName: "own", policyDocument: randomDocument(r) });
      if (r.next() < 0.1) await handle({ type: "PutPermissionsBoundary", entityType: "user", entityName: u, policyArn: policyArn(r.pick(policies)) });
    }
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    for (const role of roles) {
      await handle({ type: "CreateRole", roleName: role, path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] });
      for (const p of r.some(policies, 1 + r.int(2))) await handle({ type: "AttachPolicy", entityType: "role", entityName: role, policyArn: policyArn(p) });
      if (r.next() < 0.4) await handle({ type: "PutInlinePolicy", entityType: "role", entityName: role, policyName: "own", policyDocument: randomDocument(r) });
      if (r.next() < 0.3) await handle({ type: "PutPermissionsBoundary", entityType: "role", entityName: role, policyArn: policyArn(r.pick(policies)) });
    }
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  async function allPrincipals(): Promise<string[]> {
    const [u, ro] = await Promise.all([db.prisma.user.findMany({ select: { arn: true } }), db.prisma.role.findMany({ select: { arn: true } })]);
    return [...u, ...ro].map((p) => p.arn).sort();
  }

  /** The specification: evaluate every user and role. */
  async function naive(action: string, resource: string): Promise<string[]> {
    const everyone = await allPrincipals();
    const results = await app.authorizer.authorizeMany(everyone.map((principalArn) => ({ principalArn, action, resource })));
    return everyone.filter((_, i) => {
      const result = results[i]!;
      return !(result instanceof DomainError) && result.decision === "allowed";
    });
  }

  async function compareAll(): Promise<{ allowedSomewhere: number }> {
    let allowedSomewhere = 0;
    for (const action of actions) {
      for (const resource of requestResources) {
        const expected = await naive(action, resource);
        const actual = (await app.whoCan.principalsAllowed(action, resource)).map((p) => p.principalArn).sort();
        expect(actual, `${action} on ${resource}`).toEqual(expected);
        if (expected.length > 0) allowedSomewhere++;
      }
    }
    return { allowedSomewhere };
  }

  it("principalsAllowed equals evaluating every user and role, for 20 actions on 4 resources", async () => {
    const { allowedSomewhere } = await compareAll();
    // The account is not trivially empty or all-powerful.
    expect(allowedSomewhere).toBeGreaterThan(10);
  });

  it("names, for each allowed principal, the Allow statements that decided it", async () => {
    const allowed = await app.whoCan.principalsAllowed("s3:GetObject", requestResources[0]!);
    for (const p of allowed) {
      expect(p.matchedStatements.length).toBeGreaterThan(0);
      expect(p.principalType).toBe(p.principalArn.includes(":role/") ? "role" : "user");
    }
  });

  it("looks at a strict subset of all principals for a narrow action", async () => {
    const everyone = await allPrincipals();
    const sizes = await Promise.all(actions.map(async (action) => [action, (await app.whoCan.candidatePrincipals(action)).length] as const));
    // None of the 20 actions is granted to everyone here, so every candidate list is a strict
    // subset, and the narrowest ones are well under half of the principals.
    expect(sizes.filter(([, n]) => n >= everyone.length), `candidate counts of ${everyone.length}: ${JSON.stringify(sizes)}`).toEqual([]);
    expect(Math.min(...sizes.map(([, n]) => n))).toBeLessThan(everyone.length / 2);
    // Every candidate list is a superset of the answer (it is a filter, never a decision).
    for (const action of actions) {
      const candidates = new Set((await app.whoCan.candidatePrincipals(action)).map((c) => c.arn));
      for (const resource of requestResources) {
        for (const arn of await naive(action, resource)) expect(candidates.has(arn), `${arn} missing from the candidates for ${action}`).toBe(true);
      }
    }
    // An action no policy mentions has no candidates at all (unless a NotAction or * covers it).
    const unknown = await app.whoCan.candidatePrincipals("glacier:DeleteArchive");
    expect(unknown.length).toBeLessThan(everyone.length);
  });

  it("still equals the naive answer after random changes to policies, holdings, memberships and tags", async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 25; i++) {
        const roll = r.int(9);
        const user = r.pick(users);
        const group = r.pick(groups);
        if (roll === 0) await tryHandle({ type: "CreatePolicyVersion", policyArn: policyArn(r.pick(policies)), policyDocument: randomDocument(r), setAsDefault: true });
        else if (roll === 1) await tryHandle({ type: "AttachPolicy", entityType: "group", entityName: group, policyArn: policyArn(r.pick(policies)) });
        else if (roll === 2) await tryHandle({ type: "DetachPolicy", entityType: "group", entityName: group, policyArn: policyArn(r.pick(policies)) });
        else if (roll === 3) await tryHandle({ type: "AddUserToGroup", userName: user, groupName: group });
        else if (roll === 4) await tryHandle({ type: "RemoveUserFromGroup", userName: user, groupName: group });
        else if (roll === 5) await tryHandle({ type: "TagUser", userName: user, tags: [{ key: "team", value: r.pick(teams) }] });
        else if (roll === 6) {
          const onUser = r.next() < 0.5;
          await tryHandle({ type: "PutInlinePolicy", entityType: onUser ? "user" : "group", entityName: onUser ? user : group, policyName: "extra", policyDocument: randomDocument(r) });
        }
        else if (roll === 7) await tryHandle({ type: "PutPermissionsBoundary", entityType: "user", entityName: user, policyArn: policyArn(r.pick(policies)) });
        else await tryHandle({ type: "AttachPolicy", entityType: "role", entityName: r.pick(roles), policyArn: policyArn(r.pick(policies)) });
      }
      // Version quota: keep room for the next round's new versions.
      for (const p of policies) {
        const versions = await db.prisma.policyVersion.findMany({ where: { policy: { arn: policyArn(p) }, isDefault: false } });
        for (const v of versions) await handle({ type: "DeletePolicyVersion", policyArn: policyArn(p), versionId: v.versionId });
      }
      await compareAll();
    }
  }, 300_000);
});

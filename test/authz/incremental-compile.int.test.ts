import { describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { CompiledPolicyCache, type PrincipalEntry } from "../../src/authz/compiled-policy-cache.js";
import { forgetVersionDocuments } from "../../src/authz/policies-in-effect.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import type { StatementBucket, StatementIndex } from "../../src/policy/compile.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { buildContext } from "../../src/policy/request.js";
import { backends } from "../support/databases.js";
import { runtimePerTest } from "../support/runtime-per-test.js";
import { prng } from "../support/prng.js";

// The compiled-policy cache keeps entries current incrementally (a new default version or a
// replaced inline policy swaps one compiled document into every holder and re-links them; tags
// re-read only the principal). Held by: (1) on random histories, every cached entry equals a
// from-scratch load of the same principal — principal, policies in effect and the compiled
// index statement by statement, plus decisions on random requests; (2) the incremental paths
// really send no SQL (or only the principal's) and still change the decision.

const account = "123456789012";
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trust = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });

const USERS = ["alice", "bob", "carol"];
const GROUPS = ["devs", "ops"];
const POLICIES = ["P0", "P1", "P2", "P3"];
const ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "sqs:SendMessage", "iam:ListUsers"];
const RESOURCES = ["*", "arn:aws:s3:::reports/*", "arn:aws:s3:::${aws:PrincipalTag/team}/*"];
const PRINCIPALS = [...USERS.map(userArn), roleArn("deploy")];

function describeBucket(b: StatementBucket): string[] {
  return b.statements.map((s, i) => `${JSON.stringify(b.sources[i])}#${s.statementIndex}:${s.effect}`);
}
function describeIndex(index: StatementIndex | undefined) {
  if (index === undefined) return undefined;
  const services = [...index.byService.keys()].sort().map((k) => [k, describeBucket(index.byService.get(k)!)]);
  return { size: index.size, always: describeBucket(index.always), services };
}
/** Everything an entry decides with, in a comparable form. */
function describeEntry(entry: PrincipalEntry | undefined) {
  if (entry === undefined) return undefined;
  const policies = (ps: PrincipalEntry["identity"] | undefined) => ps?.map((p) => [JSON.stringify(p.source), JSON.stringify(p.document)]);
  const tags = [...entry.principal.tags].map((t) => `${t.key}=${t.value}`).sort();
  return {
    principal: { ...entry.principal, tags },
    identity: policies(entry.identity),
    boundary: policies(entry.boundary),
    compiled: { identity: describeIndex(entry.compiled.identity), boundary: describeIndex(entry.compiled.boundary) },
  };
}

describe.each(backends)("incremental compilation on $name", (backend) => {
  const runtime = runtimePerTest(backend);
  const handle = (...commands: Command[]) => runtime.handle(userArn("admin"), ...commands);
  const { sqlOf } = runtime;
  /** Like handle, but a command the domain refuses (quota, not found, default version) is just skipped. */
  const attempt = async (command: Command) => {
    try {
      await handle(command);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  };
  const decision = async (principalArn: string, action = "s3:GetObject", resource = "arn:aws:s3:::reports/q1.csv") =>
    (await runtime.app.authorizer.authorize({ principalArn, action, resource })).decision;

  const setUp = async () => {
    for (const u of USERS) await handle({ type: "CreateUser", userName: u, path: "/", tags: [] });
    for (const g of GROUPS) await handle({ type: "CreateGroup", groupName: g, path: "/" });
    await handle({ type: "CreateRole", roleName: "deploy", path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] });
    for (const p of POLICIES) {
      await handle({ type: "CreatePolicy", policyName: p, path: "/", policyDocument: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }), description: "", tags: [] });
    }
  };

  function randomCommand(r: ReturnType<typeof prng>): Command {
    const statement = () => ({
      Effect: r.next() < 0.75 ? "Allow" : "Deny",
      Action: r.some(ACTIONS, 2),
      Resource: r.pick(RESOURCES),
      ...(r.next() < 0.3 ? { Condition: { StringEquals: { "aws:PrincipalTag/team": r.pick(["red", "blue"]) } } } : {}),
    });
    const document = () => doc(...Array.from({ length: 1 + r.int(3) }, statement));
    const holder = (): { entityType: "user" | "group" | "role"; entityName: string } => {
      const k = r.int(3);
      return k === 0 ? { entityType: "user", entityName: r.pick(USERS) } : k === 1 ? { entityType: "group", entityName: r.pick(GROUPS) } : { entityType: "role", entityName: "deploy" };
    };
    const bounded = (): { entityType: "user" | "role"; entityName: string } => (r.next() < 0.7 ? { entityType: "user", entityName: r.pick(USERS) } : { entityType: "role", entityName: "deploy" });
    const policy = policyArn(r.pick(POLICIES));
    switch (r.int(12)) {
      case 0:
      case 1:
        return { type: "CreatePolicyVersion", policyArn: policy, policyDocument: document(), setAsDefault: r.next() < 0.8 };
      case 2:
        return { type: "SetDefaultPolicyVersion", policyArn: policy, versionId: `v${1 + r.int(6)}` };
      case 3:
        return { type: "DeletePolicyVersion", policyArn: policy, versionId: `v${1 + r.int(6)}` };
      case 4:
        return { type: "AttachPolicy", ...holder(), policyArn: policy };
      case 5:
        return { type: "DetachPolicy", ...holder(), policyArn: policy };
      case 6:
      case 7:
        return { type: "PutInlinePolicy", ...holder(), policyName: r.pick(["a", "b"]), policyDocument: document() };
      case 8:
        return { type: "DeleteInlinePolicy", ...holder(), policyName: r.pick(["a", "b"]) };
      case 9:
        return r.next() < 0.5
          ? { type: "AddUserToGroup", userName: r.pick(USERS), groupName: r.pick(GROUPS) }
          : { type: "RemoveUserFromGroup", userName: r.pick(USERS), groupName: r.pick(GROUPS) };
      case 10:
        return r.next() < 0.6
          ? { type: "TagUser", userName: r.pick(USERS), tags: [{ key: "team", value: r.pick(["red", "blue"]) }] }
          : { type: "UntagUser", userName: r.pick(USERS), tagKeys: ["team"] };
      default:
        return r.next() < 0.6 ? { type: "PutPermissionsBoundary", ...bounded(), policyArn: policy } : { type: "DeletePermissionsBoundary", ...bounded() };
    }
  }

  for (const seed of [1, 2, 3]) {
    it(`after every step of a random history (seed ${seed}), each cached entry equals a from-scratch compile`, async () => {
      const r = prng(seed);
      await setUp();
      const cache = runtime.app.authorizer.compiledPolicies;
      for (let step = 0; step < 25; step++) {
        // Most principals are warm when the next change arrives, so it is applied incrementally.
        await cache.getMany(PRINCIPALS.filter(() => r.next() < 0.85));
        const command = randomCommand(r);
        await attempt(command);
        const incremental = await cache.getMany(PRINCIPALS);
        forgetVersionDocuments();
        const scratch = await new CompiledPolicyCache(runtime.db.prisma).getMany(PRINCIPALS);
        for (const [i, arn] of PRINCIPALS.entries()) {
          const where = `seed ${seed} step ${step} (${command.type}) ${arn}`;
          expect(describeEntry(incremental[i]), where).toEqual(describeEntry(scratch[i]));
          for (let k = 0; k < 4; k++) {
            const request = { action: r.pick(ACTIONS), resource: r.pick(["arn:aws:s3:::reports/x", "arn:aws:s3:::red/x", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"]), context: buildContext([]) };
            expect(evaluate(incremental[i]!.compiled, request).decision, where).toBe(evaluate(scratch[i]!.compiled, request).decision);
          }
        }
      }
    });
  }

  it("a new default version reaches every holder (directly, through a group, as a boundary) with no SQL at their next decision", async () => {
    const s3 = doc({ Effect: "Allow", Action: "s3:*", Resource: "*" });
    await setUp();
    await handle({ type: "CreatePolicy", policyName: "Shared", path: "/", policyDocument: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }), description: "", tags: [] });
    await handle(
      { type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: policyArn("Shared") },
      { type: "AttachPolicy", entityType: "group", entityName: "devs", policyArn: policyArn("Shared") },
      { type: "AddUserToGroup", userName: "bob", groupName: "devs" },
      { type: "AttachPolicy", entityType: "role", entityName: "deploy", policyArn: policyArn("P0") },
      { type: "PutPermissionsBoundary", entityType: "role", entityName: "deploy", policyArn: policyArn("Shared") },
    );
    for (const arn of [userArn("alice"), userArn("bob"), roleArn("deploy")]) expect(await decision(arn, "s3:PutObject"), arn).toBe("implicitDeny");

    await handle({ type: "CreatePolicyVersion", policyArn: policyArn("Shared"), policyDocument: s3, setAsDefault: true });
    expect(await sqlOf(() => decision(userArn("alice"), "s3:PutObject"))).toEqual([]);
    expect(await decision(userArn("alice"), "s3:PutObject")).toBe("allowed");
    expect(await sqlOf(async () => expect(await decision(userArn("bob"), "s3:PutObject")).toBe("allowed"))).toEqual([]);
    // The role's P0 allows s3:GetObject only; the boundary (now s3:*) still caps it at that.
    expect(await sqlOf(async () => expect(await decision(roleArn("deploy"), "s3:GetObject")).toBe("allowed"))).toEqual([]);
    expect(await decision(roleArn("deploy"), "s3:PutObject")).toBe("implicitDeny");

    // Back to v1: its text was never seen in an event, so the holders reload (and are right).
    await handle({ type: "SetDefaultPolicyVersion", policyArn: policyArn("Shared"), versionId: "v1" });
    expect(await decision(userArn("alice"), "s3:PutObject")).toBe("implicitDeny");
    expect(await decision(userArn("bob"), "s3:PutObject")).toBe("implicitDeny");
  });

  it("a replaced inline policy reaches the owner and the group's members with no SQL; a tag change re-reads only the principal", async () => {
    await setUp();
    await handle(
      { type: "AddUserToGroup", userName: "alice", groupName: "ops" },
      { type: "PutInlinePolicy", entityType: "group", entityName: "ops", policyName: "a", policyDocument: doc({ Effect: "Allow", Action: "sqs:*", Resource: "*" }) },
      { type: "PutInlinePolicy", entityType: "user", entityName: "bob", policyName: "a", policyDocument: doc({ Effect: "Allow", Action: "sqs:*", Resource: "*" }) },
    );
    expect(await decision(userArn("alice"), "sqs:SendMessage")).toBe("allowed");
    expect(await decision(userArn("bob"), "sqs:SendMessage")).toBe("allowed");

    const byTeam = doc({ Effect: "Allow", Action: "ec2:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "red" } } });
    await handle(
      { type: "PutInlinePolicy", entityType: "group", entityName: "ops", policyName: "a", policyDocument: byTeam },
      { type: "PutInlinePolicy", entityType: "user", entityName: "bob", policyName: "a", policyDocument: byTeam },
    );
    for (const user of ["alice", "bob"]) {
      expect(await sqlOf(async () => expect(await decision(userArn(user), "sqs:SendMessage")).toBe("implicitDeny"))).toEqual([]);
    }

    await handle({ type: "TagUser", userName: "alice", tags: [{ key: "team", value: "red" }] });
    const sql = await sqlOf(async () => expect(await decision(userArn("alice"), "ec2:RunInstances")).toBe("allowed"));
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.join("\n")).not.toMatch(/effective_polic|inline_polic|policy_version/i);
    expect(await decision(userArn("bob"), "ec2:RunInstances")).toBe("implicitDeny");
  });

  it("remembers a principal that does not exist — no SQL when asked again — and forgets it the moment the user is created, or renamed to it", async () => {
    await setUp();
    await handle({ type: "CreatePolicy", policyName: "S3", path: "/", policyDocument: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }), description: "", tags: [] });
    for (const arn of [userArn("dave"), userArn("erin"), roleArn("ci")]) await expect(decision(arn), arn).rejects.toMatchObject({ code: "NoSuchEntity" });
    expect(await sqlOf(() => expect(decision(userArn("dave"))).rejects.toMatchObject({ code: "NoSuchEntity" }))).toEqual([]);

    await handle({ type: "CreateUser", userName: "dave", path: "/", tags: [] }, { type: "AttachPolicy", entityType: "user", entityName: "dave", policyArn: policyArn("S3") });
    expect(await decision(userArn("dave"))).toBe("allowed");

    await handle({ type: "AttachPolicy", entityType: "user", entityName: "carol", policyArn: policyArn("S3") }, { type: "UpdateUser", userName: "carol", newUserName: "erin" });
    expect(await decision(userArn("erin"))).toBe("allowed");

    await handle({ type: "CreateRole", roleName: "ci", path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] });
    expect(await decision(roleArn("ci"))).toBe("implicitDeny");
    // Still unknown: the same name under another path is another ARN.
    await expect(decision(`arn:aws:iam::${account}:user/other/dave`)).rejects.toMatchObject({ code: "NoSuchEntity" });
  });
});

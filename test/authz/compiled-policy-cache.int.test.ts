import { describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { backends } from "../support/databases.js";
import { runtimePerTest } from "../support/runtime-per-test.js";

// The authorizer answers from the compiled-policy cache: a warm principal costs no SQL at all.
// Every committed event drops exactly the principals whose decision it can change — checked by
// the decision flipping right after the mutation — and leaves every other principal warm
// (checked by counting the SQL statements of its next decision: zero).

const account = "123456789012";
const userArn = (name: string, path = "/") => `arn:aws:iam::${account}:user${path}${name}`;
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const allow = (action: string, resource = "*") => doc({ Effect: "Allow", Action: action, Resource: resource });
const trust = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
const object = "arn:aws:s3:::reports/q1.csv";

describe.each(backends)("compiled-policy cache on $name", (backend) => {
  const runtime = runtimePerTest(backend);
  const handle = (...commands: Command[]) => runtime.handle(userArn("admin"), ...commands);
  const { sqlOf } = runtime;
  const createUser = (userName: string, tags: { key: string; value: string }[] = []): Command => ({ type: "CreateUser", userName, path: "/", tags });
  const createGroup = (groupName: string): Command => ({ type: "CreateGroup", groupName, path: "/" });
  const createPolicy = (policyName: string, policyDocument: string): Command => ({ type: "CreatePolicy", policyName, path: "/", policyDocument, description: "", tags: [] });
  const attach = (entityType: "user" | "group" | "role", entityName: string, policy: string): Command => ({ type: "AttachPolicy", entityType, entityName, policyArn: policyArn(policy) });
  const join = (userName: string, groupName: string): Command => ({ type: "AddUserToGroup", userName, groupName });

  const decision = async (principalArn: string, action = "s3:GetObject", resource = object) =>
    (await runtime.app.authorizer.authorize({ principalArn, action, resource })).decision;
  /** Decides and asserts the decision came from the cache (no SQL). */
  const cachedDecision = async (principalArn: string, action?: string, resource?: string) => {
    let result: string | undefined;
    expect(await sqlOf(async () => (result = await decision(principalArn, action, resource))), `${principalArn} was not served from the cache`).toEqual([]);
    return result;
  };

  it("answers a second authorize for the same principal from the cache, whatever the action or resource", async () => {
    await handle(createUser("alice"), createPolicy("S3Read", allow("s3:GetObject")), attach("user", "alice", "S3Read"));

    const first = await sqlOf(() => decision(userArn("alice")));
    expect(first.length).toBeGreaterThan(0);
    expect(await cachedDecision(userArn("alice"))).toBe("allowed");
    expect(await cachedDecision(userArn("alice"), "s3:PutObject")).toBe("implicitDeny");
    expect(await cachedDecision(userArn("alice"), "s3:GetObject", "arn:aws:s3:::other/x")).toBe("allowed");
  });

  it("a managed policy attached to the user changes its next decision", async () => {
    await handle(createUser("alice"), createPolicy("S3Read", allow("s3:GetObject")));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");

    await handle(attach("user", "alice", "S3Read"));
    expect(await decision(userArn("alice"))).toBe("allowed");

    await handle({ type: "DetachPolicy", entityType: "user", entityName: "alice", policyArn: policyArn("S3Read") });
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
  });

  it("a policy attached to a group changes every member's next decision — also when the group held nothing before — and no one else's", async () => {
    await handle(createUser("alice"), createUser("bob"), createUser("carol"), createGroup("devs"), join("alice", "devs"), join("bob", "devs"));
    await handle(createPolicy("S3Read", allow("s3:GetObject")), createPolicy("Ec2", allow("ec2:*")), attach("user", "carol", "Ec2"));
    for (const u of ["alice", "bob", "carol"]) expect(await decision(userArn(u))).toBe("implicitDeny");

    await handle(attach("group", "devs", "S3Read"));

    expect(await decision(userArn("alice"))).toBe("allowed");
    expect(await decision(userArn("bob"))).toBe("allowed");
    expect(await cachedDecision(userArn("carol"))).toBe("implicitDeny");
  });

  it("a second policy attached to a group that already grants something changes its members' decisions", async () => {
    await handle(createUser("alice"), createGroup("devs"), join("alice", "devs"));
    await handle(createPolicy("Ec2", allow("ec2:*")), createPolicy("S3Read", allow("s3:GetObject")), attach("group", "devs", "Ec2"));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");

    await handle(attach("group", "devs", "S3Read"));
    expect(await decision(userArn("alice"))).toBe("allowed");
  });

  it("joining and leaving a group changes the user's next decision", async () => {
    await handle(createUser("alice"), createGroup("devs"), createPolicy("S3Read", allow("s3:GetObject")), attach("group", "devs", "S3Read"));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");

    await handle(join("alice", "devs"));
    expect(await decision(userArn("alice"))).toBe("allowed");

    await handle({ type: "RemoveUserFromGroup", userName: "alice", groupName: "devs" });
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
  });

  it("an inline policy put on, replaced in, or deleted from a group changes its members' next decision", async () => {
    await handle(createUser("alice"), createGroup("devs"), join("alice", "devs"));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");

    await handle({ type: "PutInlinePolicy", entityType: "group", entityName: "devs", policyName: "read", policyDocument: allow("s3:GetObject") });
    expect(await decision(userArn("alice"))).toBe("allowed");

    await handle({ type: "PutInlinePolicy", entityType: "group", entityName: "devs", policyName: "read", policyDocument: allow("s3:ListBucket") });
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
    expect(await decision(userArn("alice"), "s3:ListBucket")).toBe("allowed");

    await handle({ type: "DeleteInlinePolicy", entityType: "group", entityName: "devs", policyName: "read" });
    expect(await decision(userArn("alice"), "s3:ListBucket")).toBe("implicitDeny");
  });

  it("moving a policy's default version changes the decision of every holder (directly and through a group)", async () => {
    await handle(createUser("alice"), createUser("bob"), createGroup("devs"), join("bob", "devs"));
    await handle(createPolicy("S3", allow("s3:GetObject")), attach("user", "alice", "S3"), attach("group", "devs", "S3"));
    expect(await decision(userArn("alice"))).toBe("allowed");
    expect(await decision(userArn("bob"))).toBe("allowed");

    // A new version that is not the default changes nothing.
    await handle({ type: "CreatePolicyVersion", policyArn: policyArn("S3"), policyDocument: allow("s3:PutObject"), setAsDefault: false });
    expect(await decision(userArn("alice"))).toBe("allowed");

    await handle({ type: "SetDefaultPolicyVersion", policyArn: policyArn("S3"), versionId: "v2" });
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
    expect(await decision(userArn("bob"))).toBe("implicitDeny");

    await handle({ type: "CreatePolicyVersion", policyArn: policyArn("S3"), policyDocument: allow("s3:*"), setAsDefault: true });
    expect(await decision(userArn("alice"))).toBe("allowed");
    expect(await decision(userArn("bob"))).toBe("allowed");
  });

  it("putting, replacing and deleting a permissions boundary changes the next decision (users and roles)", async () => {
    await handle(createUser("alice"), createPolicy("S3", allow("s3:*")), createPolicy("Ec2Only", allow("ec2:*")), attach("user", "alice", "S3"));
    await handle({ type: "CreateRole", roleName: "deploy", path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] }, attach("role", "deploy", "S3"));
    for (const arn of [userArn("alice"), roleArn("deploy")]) expect(await decision(arn)).toBe("allowed");

    for (const [entityType, entityName, arn] of [["user", "alice", userArn("alice")], ["role", "deploy", roleArn("deploy")]] as const) {
      await handle({ type: "PutPermissionsBoundary", entityType, entityName, policyArn: policyArn("Ec2Only") });
      expect(await decision(arn)).toBe("implicitDeny");
      await handle({ type: "PutPermissionsBoundary", entityType, entityName, policyArn: policyArn("S3") });
      expect(await decision(arn)).toBe("allowed");
      await handle({ type: "PutPermissionsBoundary", entityType, entityName, policyArn: policyArn("Ec2Only") });
      expect(await decision(arn)).toBe("implicitDeny");
      await handle({ type: "DeletePermissionsBoundary", entityType, entityName });
      expect(await decision(arn)).toBe("allowed");
    }
  });

  it("tagging and untagging a user changes decisions that test aws:PrincipalTag", async () => {
    const byTeam = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "red" } } });
    const ownBucket = allow("s3:PutObject", "arn:aws:s3:::${aws:PrincipalTag/team}/*");
    await handle(createUser("alice", [{ key: "team", value: "blue" }]), createPolicy("ByTeam", byTeam), createPolicy("Own", ownBucket));
    await handle(attach("user", "alice", "ByTeam"), attach("user", "alice", "Own"));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
    expect(await decision(userArn("alice"), "s3:PutObject", "arn:aws:s3:::blue/x")).toBe("allowed");

    await handle({ type: "TagUser", userName: "alice", tags: [{ key: "team", value: "red" }] });
    expect(await decision(userArn("alice"))).toBe("allowed");
    expect(await decision(userArn("alice"), "s3:PutObject", "arn:aws:s3:::blue/x")).toBe("implicitDeny");
    expect(await decision(userArn("alice"), "s3:PutObject", "arn:aws:s3:::red/x")).toBe("allowed");

    await handle({ type: "UntagUser", userName: "alice", tagKeys: ["TEAM"] });
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
    expect(await decision(userArn("alice"), "s3:PutObject", "arn:aws:s3:::red/x")).toBe("implicitDeny");
  });

  it("renaming a user retires its old ARN at once and answers under the new one with the new aws:username", async () => {
    await handle(createUser("alice"), createPolicy("Home", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), attach("user", "alice", "Home"));
    expect(await decision(userArn("alice"), "s3:GetObject", "arn:aws:s3:::home/alice/a")).toBe("allowed");

    await handle({ type: "UpdateUser", userName: "alice", newUserName: "alicia", newPath: "/eng/" });

    await expect(decision(userArn("alice"), "s3:GetObject", "arn:aws:s3:::home/alice/a")).rejects.toMatchObject({ code: "NoSuchEntity" });
    expect(await decision(userArn("alicia", "/eng/"), "s3:GetObject", "arn:aws:s3:::home/alicia/a")).toBe("allowed");
    expect(await decision(userArn("alicia", "/eng/"), "s3:GetObject", "arn:aws:s3:::home/alice/a")).toBe("implicitDeny");
  });

  it("deleting a user retires its ARN at once; a new user of the same name starts with nothing", async () => {
    await handle(createUser("alice"), createPolicy("S3", allow("s3:*")), createPolicy("Ec2", allow("ec2:*")));
    await handle({ type: "PutPermissionsBoundary", entityType: "user", entityName: "alice", policyArn: policyArn("S3") });
    await handle({ type: "PutInlinePolicy", entityType: "user", entityName: "alice", policyName: "read", policyDocument: allow("s3:GetObject") });
    expect(await decision(userArn("alice"))).toBe("allowed");

    await handle({ type: "DeleteInlinePolicy", entityType: "user", entityName: "alice", policyName: "read" }, { type: "DeleteUser", userName: "alice" });
    await expect(decision(userArn("alice"))).rejects.toMatchObject({ code: "NoSuchEntity" });

    await handle(createUser("alice"));
    expect(await decision(userArn("alice"))).toBe("implicitDeny");
  });

  it("keeps unrelated principals cached through changes to another principal, even one sharing their policies and groups", async () => {
    await handle(createUser("alice"), createUser("bob"), createGroup("devs"), createGroup("ops"), join("alice", "devs"), join("bob", "devs"));
    await handle(createPolicy("S3", allow("s3:GetObject")), createPolicy("Ec2", allow("ec2:*")), attach("group", "devs", "S3"), attach("user", "alice", "Ec2"));
    await handle({ type: "CreateRole", roleName: "deploy", path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] }, attach("role", "deploy", "Ec2"));
    expect(await decision(userArn("alice"))).toBe("allowed");
    expect(await decision(roleArn("deploy"), "ec2:RunInstances")).toBe("allowed");
    expect(await decision(userArn("bob"), "ec2:RunInstances")).toBe("implicitDeny");

    const changesToBob: [string, Command, string, string][] = [
      ["tag bob", { type: "TagUser", userName: "bob", tags: [{ key: "team", value: "red" }] }, "ec2:RunInstances", "implicitDeny"],
      ["attach to bob a policy alice and the role hold", attach("user", "bob", "Ec2"), "ec2:RunInstances", "allowed"],
      ["detach it again", { type: "DetachPolicy", entityType: "user", entityName: "bob", policyArn: policyArn("Ec2") }, "ec2:RunInstances", "implicitDeny"],
      ["put an inline policy on bob", { type: "PutInlinePolicy", entityType: "user", entityName: "bob", policyName: "x", policyDocument: allow("sqs:*") }, "sqs:SendMessage", "allowed"],
      ["add bob to another group", join("bob", "ops"), "s3:GetObject", "allowed"],
      ["give bob a boundary alice holds as a policy", { type: "PutPermissionsBoundary", entityType: "user", entityName: "bob", policyArn: policyArn("Ec2") }, "s3:GetObject", "implicitDeny"],
      ["remove bob from the group alice is in", { type: "RemoveUserFromGroup", userName: "bob", groupName: "devs" }, "s3:GetObject", "implicitDeny"],
      ["rename bob", { type: "UpdateUser", userName: "bob", newUserName: "robert" }, "s3:GetObject", "implicitDeny"],
      ["create a new user and policy", createUser("dave"), "s3:GetObject", "implicitDeny"],
    ];
    let bob = userArn("bob");
    for (const [what, command, bobAction, bobDecision] of changesToBob) {
      await handle(command);
      if (command.type === "UpdateUser") bob = userArn("robert");
      expect(await decision(bob, bobAction), `bob after: ${what}`).toBe(bobDecision);
      expect(await cachedDecision(userArn("alice")), `alice after: ${what}`).toBe("allowed");
      expect(await cachedDecision(roleArn("deploy"), "ec2:RunInstances"), `the role after: ${what}`).toBe("allowed");
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { projectionStatus, rebuildProjections } from "../../src/projections/rebuild.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// Projection rebuild: replaying the log gives exactly the tables the inline projections built,
// whatever state the read models were left in; a rebuild that fails leaves them untouched.

const doc = (a: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: a, Resource: "*" }] });
const tables = ["users", "user_tags", "groups", "group_memberships", "roles", "role_tags", "policies", "policy_versions", "policy_tags", "policy_attachments", "inline_policies", "effective_policies"];
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

async function snapshot(db: TestDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await db.sql.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${table} t`);
    out[table] = rows.map((x) => x.r).sort();
  }
  return out;
}

describe.each(backends)("projections rebuild on $name", (backend) => {
  let t: TestApp;
  let built: Record<string, string[]>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    const p = "arn:aws:iam::123456789012:policy/P";
    const commands: Command[] = [
      { type: "CreateUser", userName: "alice", path: "/", tags: [{ key: "team", value: "red" }] },
      { type: "CreateUser", userName: "bob", path: "/", tags: [] },
      { type: "CreateGroup", groupName: "devs", path: "/" },
      { type: "AddUserToGroup", userName: "alice", groupName: "devs" },
      { type: "AddUserToGroup", userName: "bob", groupName: "devs" },
      { type: "RemoveUserFromGroup", userName: "bob", groupName: "devs" },
      { type: "CreatePolicy", policyName: "P", path: "/", policyDocument: doc("s3:GetObject"), description: "d", tags: [{ key: "k", value: "v" }] },
      { type: "CreatePolicyVersion", policyArn: p, policyDocument: doc("s3:ListBucket"), setAsDefault: true },
      { type: "AttachPolicy", entityType: "group", entityName: "devs", policyArn: p },
      { type: "AttachPolicy", entityType: "user", entityName: "bob", policyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" },
      { type: "PutPermissionsBoundary", entityType: "user", entityName: "alice", policyArn: p },
      { type: "CreateRole", roleName: "r", path: "/", assumeRolePolicyDocument: trust, description: "", maxSessionDuration: 3600, tags: [] },
      { type: "PutInlinePolicy", entityType: "role", entityName: "r", policyName: "own", policyDocument: doc("ec2:*") },
    ];
    for (const c of commands) await t.app.commands.handle(c, { actor: "admin" });
    built = await snapshot(t.db);
  });
  afterAll(async () => t?.close());

  it("reports each projection's checkpoint and lag", async () => {
    const status = await projectionStatus(t.db.prisma);
    const head = await t.eventCount();
    expect(status.map((s) => s.name)).toEqual(["users", "groups", "roles", "policies", "permissions", "effective-policies"]);
    for (const s of status) expect(s.head).toBe(head);
    expect(status.find((s) => s.name === "users")!.lag).toBe(0);
    await t.db.sql.exec(`UPDATE projection_checkpoints SET position = position - 3 WHERE name = 'users'`);
    expect((await projectionStatus(t.db.prisma)).find((s) => s.name === "users")!.lag).toBe(3);
  });

  it("rebuilds exactly the tables the inline projections built, from damaged read models", async () => {
    await t.db.sql.exec(`DELETE FROM effective_policies; DELETE FROM group_memberships; UPDATE users SET path = '/wrong/'`);
    await t.db.sql.exec(`INSERT INTO inline_policies (entity_type, entity_id, policy_name, document, updated_at) VALUES ('user', 'nobody', 'junk', '{}', now())`);
    const progress: number[] = [];
    const result = await rebuildProjections(t.db.prisma, (done) => progress.push(done), 5);
    expect(result.events).toBe(await t.eventCount());
    expect(progress.at(-1)).toBe(result.events);
    expect(progress.length).toBeGreaterThan(1);
    expect(await snapshot(t.db)).toEqual(built);
    for (const s of await projectionStatus(t.db.prisma)) expect(s.lag).toBe(0);
    // AWS-managed policies are reference data and survive the rebuild.
    expect(await t.db.prisma.policy.count({ where: { accountId: "aws" } })).toBeGreaterThan(0);
  });

  it("leaves the read models as they were when the rebuild fails half-way", async () => {
    let calls = 0;
    await expect(
      rebuildProjections(t.db.prisma, () => {
        if (++calls === 2) throw new Error("killed");
      }, 3),
    ).rejects.toThrow("killed");
    expect(await snapshot(t.db)).toEqual(built);
    await rebuildProjections(t.db.prisma);
    expect(await snapshot(t.db)).toEqual(built);
  });
});

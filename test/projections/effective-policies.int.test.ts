import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { seedAwsManagedPolicies } from "../../src/app/seed-aws-managed.js";
import { loadConfig } from "../../src/config/config.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { testEnv } from "../support/root-key.js";
import { outcome } from "../support/event-fixtures.js";
import { resetDatabase } from "../support/reset-database.js";
import { incrementalEffective, recomputeEffective } from "./effective-model.js";
import { prng } from "../support/prng.js";

// effective_policies is maintained event by event, never recomputed. The model check drives a
// long seeded sequence of commands (creations, memberships, attachments, inline policies,
// boundaries, removals and deletions) and after every one compares the table with a
// recomputation from the base read models. The concurrency test races the commands that touch
// the same users and groups and checks nothing is lost or duplicated.

const account = "123456789012";
const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;
const awsManaged = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"];
const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });


const users = ["u0", "u1", "u2", "u3", "u4", "u5"];
const groups = ["g0", "g1", "g2", "g3"];
const roles = ["r0", "r1", "r2"];
const policies = ["p0", "p1", "p2", "p3", "p4"];
const inlineNames = ["i0", "i1"];

type Step =
  | { readonly command: Command }
  | { readonly purge: "user" | "group" | "role"; readonly name: string }
  /** Undo something that exists now (a random pick would rarely hit it). */
  | { readonly undo: "membership" | "attachment" | "inline" | "boundary" };

/** One random step, weighted so that state builds up and is also torn down. */
function randomStep(r: ReturnType<typeof prng>): Step {
  const holderKind = r.pick(["user", "user", "group", "group", "role"] as const);
  const holderName = holderKind === "user" ? r.pick(users) : holderKind === "group" ? r.pick(groups) : r.pick(roles);
  const anyPolicy = () => (r.next() < 0.2 ? r.pick(awsManaged) : policyArn(r.pick(policies)));
  const boundaryKind = r.pick(["user", "role"] as const);
  const boundaryName = boundaryKind === "user" ? r.pick(users) : r.pick(roles);
  const table: [number, () => Step][] = [
    [6, () => ({ command: { type: "CreateUser", userName: r.pick(users), path: "/", tags: [] } })],
    [4, () => ({ command: { type: "CreateGroup", groupName: r.pick(groups), path: "/" } })],
    [3, () => ({ command: { type: "CreateRole", roleName: r.pick(roles), path: "/", assumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }), description: "", maxSessionDuration: 3600, tags: [] } })],
    [4, () => {
      const name = r.pick(policies);
      return { command: { type: "CreatePolicy", policyName: name, path: "/", policyDocument: allow(`s3:${name}`), description: "", tags: [] } };
    }],
    [14, () => ({ command: { type: "AddUserToGroup", userName: r.pick(users), groupName: r.pick(groups) } })],
    [6, () => ({ command: { type: "RemoveUserFromGroup", userName: r.pick(users), groupName: r.pick(groups) } })],
    [14, () => ({ command: { type: "AttachPolicy", entityType: holderKind, entityName: holderName, policyArn: anyPolicy() } })],
    [6, () => ({ command: { type: "DetachPolicy", entityType: holderKind, entityName: holderName, policyArn: anyPolicy() } })],
    [10, () => ({ command: { type: "PutInlinePolicy", entityType: holderKind, entityName: holderName, policyName: r.pick(inlineNames), policyDocument: allow(`ec2:Action${r.int(3)}`) } })],
    [5, () => ({ command: { type: "DeleteInlinePolicy", entityType: holderKind, entityName: holderName, policyName: r.pick(inlineNames) } })],
    [6, () => ({ command: { type: "PutPermissionsBoundary", entityType: boundaryKind, entityName: boundaryName, policyArn: anyPolicy() } })],
    [3, () => ({ command: { type: "DeletePermissionsBoundary", entityType: boundaryKind, entityName: boundaryName } })],
    [2, () => ({ command: { type: "UpdateUser", userName: r.pick(users), newPath: r.pick(["/", "/ops/"]) } })],
    [2, () => ({ command: { type: "CreatePolicyVersion", policyArn: policyArn(r.pick(policies)), policyDocument: allow(`sqs:Action${r.int(9)}`), setAsDefault: r.next() < 0.5 } })],
    [2, () => ({ command: { type: "DeleteUser", userName: r.pick(users) } })],
    [2, () => ({ command: { type: "DeleteGroup", groupName: r.pick(groups) } })],
    [2, () => ({ command: { type: "DeleteRole", roleName: r.pick(roles) } })],
    [2, () => ({ command: { type: "DeletePolicy", policyArn: policyArn(r.pick(policies)) } })],
    [3, () => ({ purge: holderKind, name: holderName })],
    [8, () => ({ undo: r.pick(["membership", "attachment", "inline", "boundary"] as const) })],
  ];
  const total = table.reduce((s, [w]) => s + w, 0);
  let x = r.next() * total;
  for (const [w, make] of table) if ((x -= w) < 0) return make();
  return table[0]![1]();
}

describe.each(backends)("effective_policies on $name", (backend) => {
  let db: TestDatabase;
  let app: Iamgraph;
  beforeAll(async () => {
    db = await backend.open({ poolSize: 20 });
    app = await startIamgraph(loadConfig(testEnv), { db, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });
  beforeEach(async () => {
    await resetDatabase(db.sql);
    await seedAwsManagedPolicies(db.prisma);
  });

  const handle = (command: Command) => app.commands.handle(command, { actor: `arn:aws:iam::${account}:user/admin` });

  /** Runs a command; refusals are part of the sequence (they must change nothing). */
  async function run(command: Command): Promise<string> {
    try {
      await handle(command);
      return "ok";
    } catch (err) {
      if (err instanceof DomainError) return err.code;
      throw err;
    }
  }

  /** The commands that strip a holder of everything and delete it, each checked on its own. */
  async function purgeCommands(kind: "user" | "group" | "role", name: string): Promise<Command[]> {
    const key = name.toLowerCase();
    const row =
      kind === "user"
        ? await db.prisma.user.findFirst({ where: { userNameKey: key }, select: { id: true, permissionsBoundaryArn: true, userName: true } })
        : kind === "group"
          ? await db.prisma.group.findFirst({ where: { groupNameKey: key }, select: { id: true } })
          : await db.prisma.role.findFirst({ where: { roleNameKey: key }, select: { id: true, permissionsBoundaryArn: true } });
    if (!row) return [];
    const commands: Command[] = [];
    if (kind === "user") {
      const memberships = await db.prisma.groupMembership.findMany({ where: { userId: row.id }, include: { group: true } });
      for (const m of memberships) commands.push({ type: "RemoveUserFromGroup", userName: name, groupName: m.group.groupName });
    }
    if (kind === "group") {
      const members = await db.prisma.groupMembership.findMany({ where: { groupId: row.id }, include: { user: true } });
      for (const m of members) commands.push({ type: "RemoveUserFromGroup", userName: m.user.userName, groupName: name });
    }
    for (const a of await db.prisma.policyAttachment.findMany({ where: { entityType: kind, entityId: row.id } })) {
      commands.push({ type: "DetachPolicy", entityType: kind, entityName: name, policyArn: a.policyArn });
    }
    for (const i of await db.prisma.inlinePolicy.findMany({ where: { entityType: kind, entityId: row.id } })) {
      commands.push({ type: "DeleteInlinePolicy", entityType: kind, entityName: name, policyName: i.policyName });
    }
    // Users keep their boundary through DeleteUser (it does not block it); roles drop it first half the time.
    if (kind === "role" && "permissionsBoundaryArn" in row && row.permissionsBoundaryArn && name.endsWith("0")) {
      commands.push({ type: "DeletePermissionsBoundary", entityType: "role", entityName: name });
    }
    commands.push(kind === "user" ? { type: "DeleteUser", userName: name } : kind === "group" ? { type: "DeleteGroup", groupName: name } : { type: "DeleteRole", roleName: name });
    return commands;
  }

  async function holderName(kind: string, id: string): Promise<string | undefined> {
    if (kind === "user") return (await db.prisma.user.findUnique({ where: { id } }))?.userName;
    if (kind === "group") return (await db.prisma.group.findUnique({ where: { id } }))?.groupName;
    return (await db.prisma.role.findUnique({ where: { id } }))?.roleName;
  }

  /** A command removing one existing membership, attachment, inline policy or boundary, if any. */
  async function undoCommand(what: "membership" | "attachment" | "inline" | "boundary", r: ReturnType<typeof prng>): Promise<Command[]> {
    if (what === "membership") {
      const rows = await db.prisma.groupMembership.findMany({ include: { user: true, group: true }, orderBy: [{ userId: "asc" }, { groupId: "asc" }] });
      if (rows.length === 0) return [];
      const m = r.pick(rows);
      return [{ type: "RemoveUserFromGroup", userName: m.user.userName, groupName: m.group.groupName }];
    }
    if (what === "attachment") {
      const rows = await db.prisma.policyAttachment.findMany({ orderBy: [{ entityId: "asc" }, { policyArn: "asc" }] });
      if (rows.length === 0) return [];
      const a = r.pick(rows);
      const entityName = await holderName(a.entityType, a.entityId);
      return entityName ? [{ type: "DetachPolicy", entityType: a.entityType as "user" | "group" | "role", entityName, policyArn: a.policyArn }] : [];
    }
    if (what === "inline") {
      const rows = await db.prisma.inlinePolicy.findMany({ orderBy: [{ entityId: "asc" }, { policyName: "asc" }] });
      if (rows.length === 0) return [];
      const i = r.pick(rows);
      const entityName = await holderName(i.entityType, i.entityId);
      return entityName ? [{ type: "DeleteInlinePolicy", entityType: i.entityType as "user" | "group" | "role", entityName, policyName: i.policyName }] : [];
    }
    const withBoundary = [
      ...(await db.prisma.user.findMany({ where: { permissionsBoundaryArn: { not: null } }, orderBy: { id: "asc" } })).map((u) => ({ entityType: "user" as const, entityName: u.userName })),
      ...(await db.prisma.role.findMany({ where: { permissionsBoundaryArn: { not: null } }, orderBy: { id: "asc" } })).map((x) => ({ entityType: "role" as const, entityName: x.roleName })),
    ];
    if (withBoundary.length === 0) return [];
    return [{ type: "DeletePermissionsBoundary", ...r.pick(withBoundary) }];
  }

  // Outcomes of every sequence together, to show the paths that change permissions all ran.
  const outcomes = new Map<string, number>();

  it.each([1, 2, 3])(
    "equals a recomputation from the base read models after every command of seeded sequence %i",
    async (seed) => {
      const r = prng(seed * 7919);
      const log: string[] = [];
      for (let i = 0; i < 400; i++) {
        const step = randomStep(r);
        const commands = "command" in step ? [step.command] : "purge" in step ? await purgeCommands(step.purge, step.name) : await undoCommand(step.undo, r);
        for (const command of commands) {
          const result = await run(command);
          log.push(`${JSON.stringify(command)} → ${result}`);
          outcomes.set(`${command.type}:${result}`, (outcomes.get(`${command.type}:${result}`) ?? 0) + 1);
          const [incremental, model] = await Promise.all([incrementalEffective(db.prisma), recomputeEffective(db.prisma)]);
          expect(incremental, `seed ${seed}, after:\n${log.slice(-12).join("\n")}`).toEqual(model);
        }
      }
      expect((await incrementalEffective(db.prisma)).length).toBeGreaterThan(0);
    },
    240_000,
  );

  it("the sequences together succeeded at every command that changes effective permissions", () => {
    const kinds = ["AddUserToGroup", "RemoveUserFromGroup", "AttachPolicy", "DetachPolicy", "PutInlinePolicy", "DeleteInlinePolicy", "PutPermissionsBoundary", "DeletePermissionsBoundary", "DeleteUser", "DeleteGroup", "DeleteRole", "DeletePolicy"];
    expect(kinds.filter((kind) => !outcomes.get(`${kind}:ok`))).toEqual([]);
    // …and were refused too (refusals must leave the table as it was).
    expect(["DeleteConflict", "NoSuchEntity", "EntityAlreadyExists"].filter((code) => ![...outcomes.keys()].some((k) => k.endsWith(`:${code}`)))).toEqual([]);
  });

  it(
    "loses and duplicates nothing when memberships and group attachments race on the same users and groups, from two instances",
    async () => {
      const other = await startIamgraph(loadConfig(testEnv), { db, logger: pino({ level: "silent" }) });
      const raceUsers = Array.from({ length: 8 }, (_, i) => `racer${i}`);
      const raceGroups = ["red", "blue", "green"];
      const racePolicies = Array.from({ length: 6 }, (_, i) => `rp${i}`);
      for (const u of raceUsers) await handle({ type: "CreateUser", userName: u, path: "/", tags: [] });
      for (const g of raceGroups) await handle({ type: "CreateGroup", groupName: g, path: "/" });
      for (const p of racePolicies) await handle({ type: "CreatePolicy", policyName: p, path: "/", policyDocument: allow(`s3:${p}`), description: "", tags: [] });

      const r = prng(424242);
      for (let round = 0; round < 4; round++) {
        const burst: Command[] = [];
        for (let i = 0; i < 60; i++) {
          const group = r.pick(raceGroups);
          const roll = r.int(6);
          if (roll === 0) burst.push({ type: "AddUserToGroup", userName: r.pick(raceUsers), groupName: group });
          else if (roll === 1) burst.push({ type: "RemoveUserFromGroup", userName: r.pick(raceUsers), groupName: group });
          else if (roll === 2) burst.push({ type: "AttachPolicy", entityType: "group", entityName: group, policyArn: policyArn(r.pick(racePolicies)) });
          else if (roll === 3) burst.push({ type: "DetachPolicy", entityType: "group", entityName: group, policyArn: policyArn(r.pick(racePolicies)) });
          else if (roll === 4) burst.push({ type: "PutInlinePolicy", entityType: "group", entityName: group, policyName: r.pick(inlineNames), policyDocument: allow(`ec2:A${r.int(3)}`) });
          else burst.push({ type: "AddUserToGroup", userName: r.pick(raceUsers), groupName: group });
        }
        // Half through a second runtime on the same database: a second API instance, whose
        // commands only the database's write lock orders against this one's.
        const results = await Promise.all(burst.map((c, i) => outcome(i % 2 === 0 ? handle(c) : other.commands.handle(c, { actor: "other-instance" }))));
        expect(results.filter((o) => o.startsWith("unexpected"))).toEqual([]);
        expect(results.filter((o) => o === "ok").length).toBeGreaterThan(10);
        expect(await incrementalEffective(db.prisma), `after round ${round}`).toEqual(await recomputeEffective(db.prisma));
      }
      expect(await db.prisma.groupMembership.count()).toBeGreaterThan(0);
      await other.close();
    },
    240_000,
  );
});

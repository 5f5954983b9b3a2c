import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { currentSchemaVersion } from "../../events/catalogue.js";
import type { AuthorizationChecks } from "../../src/authz/authorization-check.js";
import { createCommandPipeline, type CommandPipeline } from "../../src/app/command-pipeline.js";
import type { Command } from "../../src/app/command.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { headPosition } from "../../src/eventstore/read.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { resetDatabase } from "../support/reset-database.js";

// Rollback mode (issue 11, item 9): a preview is the pipeline itself — authorize, plan, the one
// append, the projections — rolled back, leaving no row, no position taken, nothing delivered.
describe.each(backends)("the pipeline in rollback mode on $name", (backend) => {
  let db: TestDatabase;
  let app: CommandPipeline;
  const published: number[] = [];
  beforeAll(async () => {
    db = await backend.open();
    // What the pipeline hands to the process's feed after each commit (a rehearsal commits nothing).
    app = createCommandPipeline({ db, accountId: "123456789012", logger: pino({ level: "silent" }), settle: async (position) => void published.push(position) });
  });
  afterAll(() => db.dispose());
  beforeEach(async () => {
    await resetDatabase(db.sql);
    published.length = 0;
  });

  const request = { actor: "arn:aws:iam::123456789012:user/admin" };
  const createUser = (userName: string): Command => ({ type: "CreateUser", userName, path: "/", tags: [] });
  const createGroup = (groupName: string): Command => ({ type: "CreateGroup", groupName, path: "/" });
  const seen = (tx: Parameters<Parameters<CommandPipeline["rehearse"]>[2]["conclude"]>[0]) => tx.user.count();

  it("appends through the store (current schema versions, real positions), projects, then leaves nothing and takes no position", async () => {
    await app.handle(createGroup("g"), request);
    const head = await headPosition(db.prisma);
    const rehearsed = await app.rehearse([createUser("alice"), { type: "AddUserToGroup", userName: "alice", groupName: "g" }], request, {
      // The second command is planned on the state the first left: it finds alice.
      conclude: async (tx, events, before) => ({ events, before, users: await seen(tx), members: await tx.groupMembership.count() }),
    });
    expect(rehearsed.before).toBe(head);
    expect(rehearsed.events.map((e) => [e.type, e.position, e.schemaVersion])).toEqual([
      ["UserCreated", head + 1, currentSchemaVersion("UserCreated")],
      ["UserAddedToGroup", head + 2, currentSchemaVersion("UserAddedToGroup")],
    ]);
    expect([rehearsed.users, rehearsed.members]).toEqual([1, 1]);
    expect([await db.prisma.user.count(), await db.prisma.groupMembership.count(), await headPosition(db.prisma)]).toEqual([0, 0, head]);
    // The positions were handed back: the next real write takes head + 1, and only it was published.
    const real = await app.handle(createUser("bob"), request);
    expect(real.position).toBe(head + 1);
    expect(published).toEqual([1, head + 1]);
  });

  it("refuses as the real write would, and asks the caller's authorization first, on the transaction's state", async () => {
    await expect(app.rehearse([{ type: "DeleteUser", userName: "ghost" }], request, { conclude: async () => "done" })).rejects.toMatchObject({ code: "NoSuchEntity" });
    await app.handle({ type: "CreateUser", userName: "tagged", path: "/", tags: [{ key: "team", value: "blue" }] }, request);
    const asked: AuthorizationChecks[] = [];
    const deny = { ...request, authorize: async (checks: AuthorizationChecks) => (asked.push(checks), new DomainError("AccessDenied", "no")) };
    // Denied before the planner speaks: a missing name is not revealed.
    await expect(app.rehearse([{ type: "DeleteUser", userName: "ghost" }], deny, { conclude: async () => "done" })).rejects.toMatchObject({ code: "AccessDenied" });
    await expect(app.handle({ type: "DeleteUser", userName: "tagged" }, deny)).rejects.toMatchObject({ code: "AccessDenied" });
    expect(asked.map((c) => c[0]!.resource)).toEqual(["arn:aws:iam::123456789012:user/ghost", "arn:aws:iam::123456789012:user/tagged"]);
    expect(asked[1]![0]!.context).toContainEqual({ key: "aws:ResourceTag/team", type: "string", values: ["blue"] });
    expect(await db.prisma.user.count()).toBe(1);
  });

  it("a group refused at its second command leaves the shared transaction, and the positions, as they were", async () => {
    const head = await headPosition(db.prisma);
    const results = await Promise.allSettled([
      app.handle(createUser("u1"), request),
      app.handleAll([createUser("u2"), { type: "DeleteUser", userName: "ghost" }], request),
      app.handle(createUser("u3"), request),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await db.prisma.user.findMany({ orderBy: { userName: "asc" } })).map((u) => u.userName)).toEqual(["u1", "u3"]);
    expect(await headPosition(db.prisma)).toBe(head + 2);
  });
});

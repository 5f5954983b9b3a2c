import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCommandPipeline, type CommandPipeline } from "../../src/app/command-pipeline.js";
import type { Command } from "../../src/app/command.js";
import { headPosition, readAll } from "../../src/eventstore/read.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { outcome } from "../support/event-fixtures.js";
import { resetDatabase } from "../support/reset-database.js";

// The pipeline's invariants (unique names, quotas) must hold under concurrent requests, because
// it takes the write lock before loading state. Same suite on every backend.
describe.each(backends)("command pipeline on $name", (backend) => {
  let db: TestDatabase;
  let app: CommandPipeline;
  beforeAll(async () => {
    db = await backend.open({ poolSize: 20 });
    app = createCommandPipeline({ db, accountId: "123456789012", logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await db.dispose();
  });
  beforeEach(async () => {
    await resetDatabase(db.sql);
  });

  const request = { actor: "arn:aws:iam::123456789012:user/admin" };
  const handle = (command: Command) => app.handle(command, request);
  const createUser = (userName: string): Command => ({ type: "CreateUser", userName, path: "/", tags: [] });
  const createGroup = (groupName: string): Command => ({ type: "CreateGroup", groupName, path: "/" });

  it("lets exactly one of two parallel CreateUser of one name succeed; the other gets EntityAlreadyExists", async () => {
    const outcomes = await Promise.all([outcome(handle(createUser("alice"))), outcome(handle(createUser("alice")))]);

    expect(outcomes.sort()).toEqual(["EntityAlreadyExists", "ok"]);
    expect(await db.prisma.user.count()).toBe(1);
    expect((await readAll(db.prisma, 0)).map((e) => e.type)).toEqual(["UserCreated"]);
  });

  it("treats names that differ only in case as the same name", async () => {
    const outcomes = await Promise.all([outcome(handle(createUser("alice"))), outcome(handle(createUser("ALICE")))]);
    expect(outcomes.sort()).toEqual(["EntityAlreadyExists", "ok"]);

    await expect(handle(createUser("Alice"))).rejects.toMatchObject({ code: "EntityAlreadyExists", message: "User with name Alice already exists." });
    expect(await db.prisma.user.count()).toBe(1);
  });

  it("lets exactly ten of eleven parallel AddUserToGroup for one user succeed; the eleventh gets LimitExceeded", async () => {
    await handle(createUser("alice"));
    for (let i = 1; i <= 11; i++) await handle(createGroup(`group${i}`));

    const outcomes = await Promise.all(
      Array.from({ length: 11 }, (_, i) => outcome(handle({ type: "AddUserToGroup", userName: "alice", groupName: `group${i + 1}` }))),
    );

    expect(outcomes.filter((o) => o === "ok")).toHaveLength(10);
    expect(outcomes.filter((o) => o !== "ok")).toEqual(["LimitExceeded"]);
    expect(await db.prisma.groupMembership.count()).toBe(10);
    expect((await readAll(db.prisma, 0)).filter((e) => e.type === "UserAddedToGroup")).toHaveLength(10);
  });

  it("creates 50 users in parallel: 50 users, 50 events, each at its own position", async () => {
    const names = Array.from({ length: 50 }, (_, i) => `user${i}`);

    const results = await Promise.all(names.map((name) => handle(createUser(name))));

    expect(await db.prisma.user.count()).toBe(50);
    const events = await readAll(db.prisma, 0);
    expect(events).toHaveLength(50);
    expect(new Set(events.map((e) => e.position)).size).toBe(50);
    expect(new Set(results.map((r) => r.position)).size).toBe(50);
    expect(events.map((e) => (e.data as { userName: string }).userName).sort()).toEqual([...names].sort());
  });

  it("appends nothing when a command is refused", async () => {
    await handle(createUser("alice"));
    await handle(createGroup("admins"));
    await handle({ type: "AddUserToGroup", userName: "alice", groupName: "admins" });
    const before = await readAll(db.prisma, 0);
    const head = await headPosition(db.prisma);

    await expect(handle(createUser("alice"))).rejects.toMatchObject({ code: "EntityAlreadyExists" });
    await expect(handle({ type: "DeleteUser", userName: "alice" })).rejects.toMatchObject({ code: "DeleteConflict" });
    await expect(handle({ type: "DeleteGroup", groupName: "admins" })).rejects.toMatchObject({ code: "DeleteConflict" });
    await expect(handle({ type: "DeleteUser", userName: "nobody" })).rejects.toMatchObject({ code: "NoSuchEntity" });
    await expect(handle(createUser("bad name"))).rejects.toMatchObject({ code: "InvalidInput" });

    expect(await readAll(db.prisma, 0)).toEqual(before);
    expect(await headPosition(db.prisma)).toBe(head);
    expect(await db.prisma.user.count()).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { projectionStatus, rebuildProjections, type RebuildProgress } from "../../src/projections/rebuild.js";
import { RebuildInProgress } from "../../src/projections/rebuild-lock.js";
import { projections } from "../../src/projections/inline-projector.js";
import { backends, postgresUrl } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";
import { randomHistory, snapshot } from "./rebuild-history.js";

// Blue/green rebuild: replaying the log into fresh tables and switching them in gives exactly
// the tables the inline projections maintained event by event, whatever state the live tables
// were left in; the API keeps reading and writing meanwhile; one rebuild at a time.

const account = "123456789012";
const actor = { actor: `arn:aws:iam::${account}:user/admin` };

describe.each(backends)("projections rebuild on $name", (backend) => {
  let t: TestApp;
  let built: Record<string, string[]>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    expect(await randomHistory(t.app, 4242, 360)).toBeGreaterThan(100);
    built = await snapshot(t.db.sql);
  }, 120_000);
  afterAll(async () => t?.close());

  it("reports each projection's version, checkpoint and lag", async () => {
    const status = await projectionStatus(t.db);
    const head = await t.eventCount();
    expect(status.map((s) => s.name)).toEqual(projections.map((p) => p.name));
    for (const s of status) expect(s).toMatchObject({ version: 1, head, lag: 0, rebuild: undefined });
    await t.db.sql.exec(`UPDATE projection_checkpoints SET position = position - 3 WHERE name = 'users'`);
    expect((await projectionStatus(t.db)).find((s) => s.name === "users")!.lag).toBe(3);
  });

  it("rebuilds exactly the incrementally maintained tables of a random history, from damaged read models", async () => {
    expect(Object.values(built).every((rows) => rows.length > 0)).toBe(true); // the history reached every table
    await t.db.sql.exec(`DELETE FROM effective_policies WHERE kind = 'inline'; DELETE FROM group_memberships; UPDATE users SET path = '/wrong/'`);
    await t.db.sql.exec(`INSERT INTO inline_policies (entity_type, entity_id, policy_name, document, updated_at) VALUES ('user', 'nobody', 'junk', '{}', now())`);
    // Tables that are not projections: secret hashes never enter the log, so a rebuild must leave them be.
    const credentials = ["access_key_credentials", "root_credentials"];
    await t.db.sql.exec(`INSERT INTO access_key_credentials (access_key_id, secret_hash, created_at) VALUES ('AKIANOTINTHELOG00001', 'scrypt$x', now())`);
    const secrets = await snapshot(t.db.sql, credentials);
    const progress: RebuildProgress[] = [];
    const result = await rebuildProjections(t.db, { pageSize: 50, onProgress: (p) => void progress.push(p) });
    expect(await snapshot(t.db.sql, credentials)).toEqual(secrets);
    const head = await t.eventCount();
    expect(result).toMatchObject({ events: head, position: head, skipped: [] });
    expect(progress.filter((p) => p.phase === "replay").length).toBeGreaterThan(2);
    expect(progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(["replay", "write", "index", "catch-up", "switch", "done"]);
    expect(await snapshot(t.db.sql)).toEqual(built);
    for (const s of await projectionStatus(t.db)) expect(s).toMatchObject({ version: 2, lag: 0, rebuild: undefined });
    // AWS-managed policies are reference data, not in the log, and survive the rebuild.
    expect(await t.db.prisma.policy.count({ where: { accountId: "aws" } })).toBeGreaterThan(0);
    // Nothing is left behind: no staging or __old schema.
    const [{ live }] = (await t.db.sql.query<{ live: string }>(`SELECT current_schema() AS live`)) as [{ live: string }];
    expect(await t.db.sql.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${live}\\_\\_rb%`])).toEqual([]);
  });

  it("rebuilds one projection alone, re-pointing the foreign keys from tables it does not own", async () => {
    await t.db.sql.exec(`UPDATE groups SET path = '/wrong/'`);
    await rebuildProjections(t.db, { projections: ["groups"] });
    expect(await snapshot(t.db.sql)).toEqual(built);
    const status = await projectionStatus(t.db);
    expect(status.find((s) => s.name === "groups")!.version).toBe(3);
    expect(status.find((s) => s.name === "users")!.version).toBe(2);
    // group_memberships (the users projection's) still cascades from the new groups table.
    const fk = await t.db.sql.query<{ ref: string }>(
      `SELECT confrelid::regclass::text AS ref FROM pg_constraint WHERE conname = 'group_memberships_group_id_fkey' AND connamespace = current_schema()::regnamespace`,
    );
    expect(fk.map((f) => f.ref.replace(/^.*\./, ""))).toEqual(["groups"]);
  });

  it("leaves the live tables as they were when a rebuild fails half-way, and the next one cleans up", async () => {
    let calls = 0;
    await expect(
      rebuildProjections(t.db, {
        pageSize: 20,
        onProgress: () => {
          if (++calls === 3) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(await snapshot(t.db.sql)).toEqual(built);
    const abandoned = (await projectionStatus(t.db)).map((s) => s.rebuild);
    expect(abandoned.every((r) => r?.running === false && r.phase === "replay")).toBe(true);
    await rebuildProjections(t.db);
    expect(await snapshot(t.db.sql)).toEqual(built);
    expect((await projectionStatus(t.db)).every((s) => s.rebuild === undefined)).toBe(true);
  });

  it("keeps serving reads and writes during the rebuild; the writes are in the tables it switches in", async () => {
    const written: string[] = [];
    const reads: number[] = [];
    const phases: Record<string, number> = {};
    let during: Record<string, string[]> | undefined;
    await rebuildProjections(t.db, {
      pageSize: 25,
      onProgress: async (p) => {
        // A few writes in each phase (each page folded would otherwise bring the next write).
        const inPhase = (phases[p.phase] = (phases[p.phase] ?? 0) + 1);
        if ((p.phase !== "replay" && p.phase !== "catch-up") || inPhase > 4) return;
        // A writer and a reader working against the live tables while the replay goes on.
        const name = `during${written.length}`;
        await t.app.commands.handle({ type: "CreateUser", userName: name, path: "/", tags: [{ key: "k", value: name }] }, actor);
        await t.app.commands.handle({ type: "AddUserToGroup", userName: name, groupName: "g0" }, actor).catch(() => undefined);
        written.push(name);
        reads.push(await t.db.prisma.user.count());
        during = await snapshot(t.db.sql);
      },
    });
    expect(written.length).toBeGreaterThan(3);
    expect(reads.at(-1)).toBeGreaterThan(reads[0]!);
    // The switched-in tables hold every write made during the rebuild, row for row as the
    // inline projections wrote them into the live tables.
    expect(await snapshot(t.db.sql)).toEqual(during);
    const names = (await t.db.prisma.user.findMany({ where: { userName: { startsWith: "during" } } })).map((u) => u.userName);
    expect(names.sort()).toEqual([...written].sort());
    for (const s of await projectionStatus(t.db)) expect(s.lag).toBe(0);
    // And the app writes into the new tables after the switch.
    await t.app.commands.handle({ type: "CreateUser", userName: "after", path: "/", tags: [] }, actor);
    expect(await t.db.prisma.user.count({ where: { userName: "after" } })).toBe(1);
    built = await snapshot(t.db.sql);
  });

  it("refuses a second rebuild of a projection while one runs, and says so", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = rebuildProjections(t.db, {
      pageSize: 20,
      onProgress: async (p) => {
        if (p.phase !== "replay") return;
        started();
        await held;
      },
    });
    await running;
    try {
      await expect(rebuildProjections(t.db, { projections: ["effective-policies"] })).rejects.toThrow(RebuildInProgress);
      await expect(rebuildProjections(t.db, { projections: ["effective-policies"] })).rejects.toThrow(
        "A rebuild of effective-policies is already running (advisory lock held)",
      );
      const status = await projectionStatus(t.db);
      expect(status.every((s) => s.rebuild?.running === true && s.rebuild.phase === "replay")).toBe(true);
      if (backend.name === "postgres") {
        // Another process (another connection pool on the same schema) is refused by the advisory lock.
        const [{ live }] = (await t.db.sql.query<{ live: string }>(`SELECT current_schema() AS live`)) as [{ live: string }];
        const other: Database = await openDatabase({ databaseUrl: postgresUrl!, schema: live, poolSize: 2 });
        try {
          await expect(rebuildProjections(other, { projections: ["users", "roles"] })).rejects.toThrow("A rebuild of users, roles is already running");
        } finally {
          await other.close();
        }
      }
    } finally {
      release();
    }
    await first;
    expect(await snapshot(t.db.sql)).toEqual(built);
    await rebuildProjections(t.db, { projections: ["effective-policies"] }); // free again
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { projectionStatus, rebuildProjections, type RebuildProgress } from "../../src/projections/rebuild.js";
import { RebuildInProgress } from "../../src/projections/rebuild-lock.js";
import { projections } from "../../src/projections/inline-projector.js";
import { backends, postgresUrl } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { prng } from "../support/prng.js";
import { randomCommand, randomHistory, snapshot } from "./rebuild-history.js";

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

  it("writers and readers running through the whole rebuild, switch included: the switched-in tables equal a clean rebuild's", async () => {
    // The progress callback only notes the phase: the rebuild never waits for the writers,
    // which run on their own the whole time (three loops), plus a burst fired just as the
    // switch starts, racing its write lock.
    let phase = "before";
    let stop = false;
    let inFlight = 0;
    /** Per phase: writes that started in it, or were still running when it began. */
    const overlapped: Record<string, number> = {};
    const overlap = (p: string) => void (overlapped[p] = (overlapped[p] ?? 0) + 1);
    const written: string[] = [];
    const reads: number[] = [];
    const write = async (name: string) => {
      overlap(phase);
      inFlight++;
      await t.app.commands.handle({ type: "CreateUser", userName: name, path: "/", tags: [{ key: "k", value: name }] }, actor);
      await t.app.commands.handle({ type: "AddUserToGroup", userName: name, groupName: "g0" }, actor).catch(() => undefined);
      await t.app.commands.handle({ type: "PutInlinePolicy", entityType: "user", entityName: name, policyName: "p", policyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}' }, actor);
      written.push(name);
      // And one random command over the shared names (renames, detaches, deletions...), refused or not.
      await t.app.commands.handle(randomCommand(rng), actor).catch((e: unknown) => {
        if (!(e instanceof DomainError)) throw e;
      });
      inFlight--;
    };
    const rng = prng(1919);
    // Paced by the rebuild's own progress, not by a clock: each page it reports lets two more
    // writes start. The catch-up ends when a page comes back short, so writers outpacing it
    // would keep the rebuild from ever reaching its switch (with small pages, they do).
    let budget = 3;
    let waiting: (() => void)[] = [];
    const release = () => {
      for (const wake of waiting) wake();
      waiting = [];
    };
    const writers = [0, 1, 2].map(async (w) => {
      for (let i = 0; !stop; i++) {
        while (budget <= 0 && !stop) await new Promise<void>((resolve) => waiting.push(resolve));
        if (stop) break;
        budget--;
        await write(`race${w}-${i}`);
      }
    });
    const reader = (async () => {
      while (!stop) reads.push(await t.db.prisma.user.count());
    })();
    const burst: Promise<void>[] = [];
    await rebuildProjections(t.db, {
      pageSize: 20,
      onProgress: (p) => {
        if (p.phase !== phase && inFlight > 0) overlap(p.phase);
        phase = p.phase;
        budget = 2;
        release();
        if (p.phase === "switch") for (let k = 0; k < 5; k++) burst.push(write(`raceswitch-${k}`));
      },
    });
    phase = "after";
    stop = true;
    release();
    await Promise.all([...writers, reader, ...burst]);

    process.stdout.write(`rebuild race (${backend.name}): ${JSON.stringify(overlapped)}, ${written.length} writes\n`);
    // Writes really overlapped the replay, the catch-up and the switch.
    for (const p of ["replay", "catch-up", "switch"]) expect(overlapped[p] ?? 0, `writes overlapping ${p}`).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.at(-1)).toBeGreaterThan(reads[0]!);
    // Every write is in the switched-in tables...
    const names = (await t.db.prisma.user.findMany({ where: { userName: { startsWith: "race" } } })).map((u) => u.userName);
    expect(names.sort()).toEqual([...written].sort());
    for (const s of await projectionStatus(t.db)) expect(s.lag).toBe(0);
    // ...and those tables, built under fire, are exactly what a rebuild with nobody writing gives.
    const raced = await snapshot(t.db.sql);
    await rebuildProjections(t.db);
    expect(await snapshot(t.db.sql)).toEqual(raced);
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

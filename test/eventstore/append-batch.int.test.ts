import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GroupCommitWriter } from "../../src/app/group-commit.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { appendBatch, appendToStreams, insertStoredEvents } from "../../src/eventstore/append.js";
import { readAll, readStream } from "../../src/eventstore/read.js";
import { writeLockKey } from "../../src/eventstore/write-lock.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { metadata, occurredAt, userCreated, userTagged } from "../support/event-fixtures.js";

// The one INSERT into the log: the `append_events` function (migration 20261201600000), as
// appendBatch, the group-commit writer's bare appends and the log import use it.
describe.each(backends)("append_events on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => db?.dispose());
  beforeEach(async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
  });

  const create = (stream: string, name: string, expectedVersion: "noStream" | "any" | number = "noStream") => ({
    appends: [{ streamId: stream, expectedVersion, events: [userCreated(name)] }],
    metadata,
    occurredAt,
  });

  it("takes the jobs of one call in order: a job refused by the ones before it writes nothing, the others go on", async () => {
    const outcomes = await appendBatch(db.prisma, [create("user-a", "a1"), create("user-a", "a2"), create("user-b", "b"), create("user-a", "a3", 1)]);

    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    const refusal = outcomes[1]!;
    expect(!refusal.ok && refusal.error).toBeInstanceOf(DomainError);
    expect(!refusal.ok && refusal.error).toMatchObject({ code: "ConcurrentModification", message: "Stream user-a is at version 1, expected no stream. Another request changed it; retry." });
    const log = await readAll(db.prisma, 0);
    expect(log.map((e) => [e.position, e.streamId, e.streamVersion])).toEqual([
      [1, "user-a", 1],
      [2, "user-b", 1],
      [3, "user-a", 2],
    ]);
    // What each job is handed back is what was stored.
    expect(outcomes.flatMap((o) => (o.ok ? o.events : []))).toEqual(log);
  });

  it("numbers `any` appends after the stream's current version, and several appends to one stream in a job in sequence", async () => {
    await appendToStreams(db.prisma, [{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("a")] }], metadata, occurredAt);
    const stored = await appendToStreams(
      db.prisma,
      [
        { streamId: "user-a", expectedVersion: "any", events: [userTagged("A", "k", "1")] },
        { streamId: "user-a", expectedVersion: 7, events: [userTagged("A", "k", "2")] }, // a later append continues the first
        { streamId: "user-b", expectedVersion: "any", events: [userCreated("b")] },
      ],
      metadata,
      occurredAt,
    );
    expect(stored.map((e) => [e.streamId, e.streamVersion])).toEqual([
      ["user-a", 2],
      ["user-a", 3],
      ["user-b", 1],
    ]);
    expect((await readStream(db.prisma, "user-a")).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
  });

  it("a log import keeps each event's position and stored schema version, and later appends continue after it", async () => {
    const row = (position: number, streamId: string, streamVersion: number, schemaVersion: number) => ({
      position,
      streamId,
      streamVersion,
      type: "UserCreated",
      schemaVersion,
      data: userCreated(streamId).data,
      metadata,
      occurredAt: occurredAt.toISOString(),
    });
    await insertStoredEvents(db.prisma, [row(3, "user-a", 1, 1), row(9, "user-b", 1, 1)]);
    const [stored] = await db.sql.query<{ position: string | number; schema_version: number }>("SELECT position, schema_version FROM events WHERE stream_id = 'user-b'");
    expect([Number(stored!.position), stored!.schema_version]).toEqual([9, 1]);
    // The rows must continue what is stored: user-a is at 1, so a second "version 1" is refused.
    await expect(insertStoredEvents(db.prisma, [row(10, "user-a", 1, 1)])).rejects.toMatchObject({ code: "ConcurrentModification" });
    const next = await appendToStreams(db.prisma, [{ streamId: "user-c", expectedVersion: "noStream", events: [userCreated("c")] }], metadata, occurredAt);
    expect(next[0]!.position).toBe(10);
  });

  it("the writer coalesces queued bare appends into shared calls; a refused one is rejected alone", async () => {
    const writer = new GroupCommitWriter(db);
    const names = Array.from({ length: 20 }, (_, i) => `u${i}`);
    // Every fifth job expects a version its stream never had.
    const outcomes = await Promise.allSettled(
      names.map((n, i) => writer.append([{ streamId: `user-${n}`, expectedVersion: i % 5 === 4 ? 3 : "noStream", events: [userCreated(n)] }], metadata, occurredAt)),
    );
    expect(outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []))).toEqual([4, 9, 14, 19]);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "ConcurrentModification" });
    expect(writer.stats.jobs).toBe(20);
    expect(writer.stats.batches).toBeLessThan(20); // the first runs alone, the rest queue behind it
    const log = await readAll(db.prisma, 0);
    expect(log.map((e) => e.position)).toEqual(outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value.map((e) => e.position) : [])));
  });

  it("a bare append the database refuses (not a version refusal) fails alone; the rest of its run is retried and committed", async () => {
    const writer = new GroupCommitWriter(db);
    const first = writer.append([{ streamId: "user-first", expectedVersion: "noStream", events: [userCreated("first")] }], metadata, occurredAt);
    // Queued behind `first`, so these three share one call: a NUL byte is not valid text in PostgreSQL.
    const rest = ["ok1", "bad\u0000", "ok2"].map((n) => writer.append([{ streamId: `user-${n}`, expectedVersion: "noStream", events: [userCreated("x")] }], metadata, occurredAt));
    const outcomes = await Promise.allSettled([first, ...rest]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((await readAll(db.prisma, 0)).map((e) => e.streamId)).toEqual(["user-first", "user-ok1", "user-ok2"]);
  });

  it.runIf(backend.name === "postgres")("a bare append waits for the write lock a transaction holds, and lands after it (position order = commit order)", async () => {
    const writer = new GroupCommitWriter(db);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let heldPosition = 0;
    const holder = db.sql.session(async (s) => {
      await s.exec("BEGIN");
      const [r] = await s.query<{ event_position: string }>(
        `SELECT event_position FROM append_events('{0}', '{user-held}', '{UserCreated}', '{1}', ARRAY[$1], ARRAY[$2], ARRAY[$3], '{}', '{0}', '{user-held}', '{0}')`,
        [JSON.stringify(userCreated("held").data), JSON.stringify(metadata), occurredAt.toISOString()],
      );
      heldPosition = Number(r!.event_position);
      await released;
      await s.exec("COMMIT");
    });
    // Wait until the holder has the lock, then until the bare append queues behind it.
    await until(async () => heldPosition > 0);
    let settled = false;
    const bare = writer.append([{ streamId: "user-late", expectedVersion: "noStream", events: [userCreated("late")] }], metadata, occurredAt).finally(() => (settled = true));
    await until(async () => (await lockWaiters()) > 0);
    expect(settled).toBe(false);
    release();
    await holder;
    const [late] = await bare;
    expect(late!.position).toBeGreaterThan(heldPosition);
    expect((await readAll(db.prisma, 0)).map((e) => e.streamId)).toEqual(["user-held", "user-late"]);
  });

  async function lockWaiters(): Promise<number> {
    const [r] = await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = $1 AND l.objid = hashtext(current_schema())::oid AND a.datname = current_database()`,
      [writeLockKey],
    );
    return Number(r!.n);
  }
});

/** Polls a condition (a state change, not a time) until it holds. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("condition never held");
}

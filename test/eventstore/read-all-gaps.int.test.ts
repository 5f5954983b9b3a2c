import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendToStreams } from "../../src/eventstore/append.js";
import { readAll } from "../../src/eventstore/read.js";
import type { StoredEvent } from "../../src/eventstore/stored-event.js";
import { deferred, until, writeLockWaiters } from "../support/write-lock-waiters.js";
import { backends, postgresUrl, type Backend, type TestDatabase } from "../support/databases.js";
import { metadata, occurredAt, userCreated } from "../support/event-fixtures.js";

/**
 * Why appends are serialised (src/eventstore/write-lock.ts): a position is taken at insert but
 * becomes visible at commit. Without the lock a later position can commit first, and a reader
 * that has moved its cursor past it never sees the earlier one. These tests need two
 * transactions open at once, so they run on PostgreSQL only.
 */
describe.each(backends)("readAll never skips an event, on $name", (backend: Backend) => {
  if (backend.name === "embedded") {
    it.skip("needs two concurrent transactions: PGlite is a single connection, so writers can never interleave (run with DATABASE_URL)", () => undefined);
    return;
  }

  let db: TestDatabase;
  let schema: string;
  beforeAll(async () => {
    db = await backend.open();
    schema = (await db.sql.query<{ s: string }>("SELECT current_schema() AS s"))[0]!.s;
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("with the write lock: a second writer waits for the first to commit, and a polling reader sees both in order", async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
    const seen: StoredEvent[] = [];
    let polling = true;
    const reader = (async () => {
      while (polling) {
        seen.push(...(await readAll(db.prisma, seen.at(-1)?.position ?? 0)));
        await sleep(5);
      }
    })();

    const aInserted = deferred();
    const commitA = deferred();
    const writerA = db.prisma.$transaction(
      async (tx) => {
        await appendToStreams(tx, [{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }], metadata, occurredAt);
        aInserted.resolve();
        await commitA.promise; // A holds its transaction (and the lock) open, its row inserted.
      },
      { timeout: 30_000 },
    );
    await aInserted.promise;

    let aReleased = false;
    let bCommittedBeforeA: boolean | undefined;
    const writerB = db.prisma
      .$transaction((tx) => appendToStreams(tx, [{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }], metadata, occurredAt))
      .then(() => {
        bCommittedBeforeA = !aReleased;
      });

    // B is queued on the write lock. (The lock is per database, so suites running in other schemas
    // of the same server can queue on it too: at least one waiter, not exactly one.)
    await until(async () => (await writeLockWaiters(db.sql)) >= 1);
    expect(await readAll(db.prisma, 0)).toEqual([]); // neither A (uncommitted) nor B (waiting)
    expect(seen).toEqual([]);

    aReleased = true;
    commitA.resolve();
    await Promise.all([writerA, writerB]);
    // B committed only once A was let go: it waited on the lock (proved by order, not by a sleep).
    expect(bCommittedBeforeA).toBe(false);
    await until(async () => seen.length === 2);
    polling = false;
    await reader;

    expect(seen.map((e) => e.streamId)).toEqual(["user-a", "user-b"]);
    expect(seen[0]!.position).toBeLessThan(seen[1]!.position);
    expect(seen).toEqual(await readAll(db.prisma, 0));
  });

  it("without the lock (plain INSERTs): a reader that moved past a later commit misses the earlier one for ever", async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
    const a = await rawClient();
    const b = await rawClient();
    try {
      await a.query("BEGIN");
      const positionA = await insert(a, "user-a", "alice");
      await b.query("BEGIN");
      const positionB = await insert(b, "user-b", "bob");
      expect(positionB).toBeGreaterThan(positionA);
      await b.query("COMMIT"); // the later position commits first

      let cursor = 0;
      const firstPoll = await readAll(db.prisma, cursor);
      expect(firstPoll.map((e) => e.position)).toEqual([positionB]);
      cursor = firstPoll.at(-1)!.position;

      await a.query("COMMIT");
      expect(await readAll(db.prisma, cursor)).toEqual([]); // A is below the cursor: skipped
      expect((await readAll(db.prisma, 0)).map((e) => e.position)).toEqual([positionA, positionB]); // yet it is in the log
    } finally {
      await a.query("ROLLBACK").catch(() => undefined);
      await a.end();
      await b.end();
    }
  });

  async function rawClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path="${schema}"` });
    await client.connect();
    return client;
  }

  async function insert(client: pg.Client, streamId: string, userName: string): Promise<number> {
    const { rows } = await client.query<{ position: string }>(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       VALUES ($1, 1, 'UserCreated', 1, $2::jsonb, $3::jsonb, now()) RETURNING position`,
      [streamId, JSON.stringify(userCreated(userName).data), JSON.stringify(metadata)],
    );
    return Number(rows[0]!.position);
  }

});


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


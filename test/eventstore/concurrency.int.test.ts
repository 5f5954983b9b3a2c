import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendToStreams } from "../../src/eventstore/append.js";
import { readAll, readStream } from "../../src/eventstore/read.js";
import { deferred, until, writeLockWaiters } from "../support/write-lock-waiters.js";
import { backends, type Backend, type TestDatabase } from "../support/databases.js";
import { metadata, occurredAt, outcome, userCreated, userTagged } from "../support/event-fixtures.js";

/**
 * Expected-version conflicts under real interleaving: every writer holds its own open
 * PostgreSQL transaction at the same moment, and the test decides with barriers (not timing)
 * who appends and commits when. The contract suite (event-store.int.test.ts) races writers
 * with Promise.all, which on PGlite's single connection runs them one after another; these
 * need several connections, so they run on PostgreSQL only.
 */
describe.each(backends)("event store conflicts between open transactions, on $name", (backend: Backend) => {
  if (backend.name === "embedded") {
    it.skip("needs concurrent transactions: PGlite is a single connection (run with DATABASE_URL)", () => undefined);
    return;
  }

  const writers = 5;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open({ poolSize: writers + 3 });
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
  });

  it("N transactions all read version 1, then all append expecting it: one wins, the rest queue on the lock and are refused", async () => {
    await db.prisma.$transaction((tx) => appendToStreams(tx, [{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }], metadata, occurredAt));
    const allRead = barrier(writers);
    const commit = deferred();
    const seenVersions: number[] = [];
    const racers = Array.from({ length: writers }, (_, i) =>
      outcome(
        db.prisma.$transaction(
          async (tx) => {
            // Every transaction is open and has read the stream before any of them appends.
            seenVersions.push((await readStream(tx, "user-a")).length);
            await allRead.arrive();
            await appendToStreams(tx, [{ streamId: "user-a", expectedVersion: 1, events: [userTagged("A", "writer", String(i))] }], metadata, occurredAt);
            await commit.promise; // the one that got the lock holds it, uncommitted
          },
          { timeout: 30_000, maxWait: 30_000 },
        ),
      ),
    );
    await allRead.reached;
    // The others are blocked on the write lock behind the holder. (The lock is per database:
    // suites in other schemas may queue on it too, so at least, not exactly.)
    await until(async () => (await writeLockWaiters(db.sql)) >= writers - 1);
    expect(await readAll(db.prisma, 0)).toHaveLength(1); // the holder's append is not visible yet
    commit.resolve();
    const outcomes = await Promise.all(racers);

    expect(seenVersions).toEqual(Array(writers).fill(1));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "ConcurrentModification")).toHaveLength(writers - 1);
    expect((await readStream(db.prisma, "user-a")).map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it("a writer queued behind a transaction that rolls back gets the version after all", async () => {
    const appended = deferred();
    const abort = deferred();
    const first = outcome(
      db.prisma.$transaction(
        async (tx) => {
          await appendToStreams(tx, [{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }], metadata, occurredAt);
          appended.resolve();
          await abort.promise;
          throw new Error("rolled back after appending");
        },
        { timeout: 30_000 },
      ),
    );
    await appended.promise;
    const second = outcome(
      db.prisma.$transaction((tx) => appendToStreams(tx, [{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bobby", "B2")] }], metadata, occurredAt), {
        timeout: 30_000,
        maxWait: 30_000,
      }),
    );
    await until(async () => (await writeLockWaiters(db.sql)) >= 1);
    abort.resolve();

    expect(await first).toBe("unexpected: rolled back after appending");
    expect(await second).toBe("ok");
    expect((await readStream(db.prisma, "user-b")).map((e) => (e.data as { userName: string }).userName)).toEqual(["bobby"]);
  });

  it("a writer queued behind a committed append to the same stream is refused, and one to another stream is not", async () => {
    const appended = deferred();
    const commit = deferred();
    const first = outcome(
      db.prisma.$transaction(
        async (tx) => {
          await appendToStreams(tx, [{ streamId: "user-c", expectedVersion: "noStream", events: [userCreated("carol", "C")] }], metadata, occurredAt);
          appended.resolve();
          await commit.promise;
        },
        { timeout: 30_000 },
      ),
    );
    await appended.promise;
    const tx = (streamId: string, name: string) =>
      outcome(
        db.prisma.$transaction((t) => appendToStreams(t, [{ streamId, expectedVersion: "noStream", events: [userCreated(name)] }], metadata, occurredAt), {
          timeout: 30_000,
          maxWait: 30_000,
        }),
      );
    const sameStream = tx("user-c", "carla");
    const otherStream = tx("user-d", "dave");
    await until(async () => (await writeLockWaiters(db.sql)) >= 2);
    commit.resolve();

    expect(await Promise.all([first, sameStream, otherStream])).toEqual(["ok", "ConcurrentModification", "ok"]);
    const all = await readAll(db.prisma, 0);
    expect(all.map((e) => e.streamId)).toEqual(["user-c", "user-d"]);
    expect(all[0]!.position).toBeLessThan(all[1]!.position);
  });

});


/** Resolves `reached` (and every `arrive`) once `n` parties have arrived. */
function barrier(n: number): { arrive: () => Promise<void>; reached: Promise<void> } {
  const all = deferred();
  let arrived = 0;
  return {
    arrive: () => {
      if (++arrived === n) all.resolve();
      return all.promise;
    },
    reached: all.promise,
  };
}


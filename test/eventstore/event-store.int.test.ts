import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { appendToStreams } from "../../src/eventstore/append.js";
import { headPosition, readAll, readStream } from "../../src/eventstore/read.js";
import type { EventMetadata, StreamAppend } from "../../src/eventstore/stored-event.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { metadata, occurredAt, outcome, userCreated, userTagged } from "../support/event-fixtures.js";

// The event store contract: every backend must pass the same suite.
describe.each(backends)("event store on $name", (backend) => {
  // One database per backend; every test starts from an empty log (opening a PGlite costs seconds).
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });
  beforeEach(async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
  });

  const append = (appends: StreamAppend[], meta: EventMetadata = metadata, at: Date = occurredAt) =>
    db.prisma.$transaction((tx) => appendToStreams(tx, appends, meta, at));

  const allEvents = async () => readAll(db.prisma, 0, 100_000);

  describe("append and read", () => {
    it("reads a stream back in version order, as appended", async () => {
      const stored = await append([
        { streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A"), userTagged("A", "team", "red")] },
      ]);

      const read = await readStream(db.prisma, "user-a");
      expect(read.map((e) => [e.streamVersion, e.type])).toEqual([
        [1, "UserCreated"],
        [2, "UserTagged"],
      ]);
      expect(read).toEqual(stored);
      expect(read[1]!.data).toEqual({ userId: "A", tags: [{ key: "team", value: "red" }] });
    });

    it("reads a stream after a given version", async () => {
      await append([{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A"), userTagged("A", "k", "1")] }]);
      await append([{ streamId: "user-a", expectedVersion: 2, events: [userTagged("A", "k", "2")] }]);

      expect((await readStream(db.prisma, "user-a", 1)).map((e) => e.streamVersion)).toEqual([2, 3]);
    });

    it("reads an unknown stream as empty", async () => {
      expect(await readStream(db.prisma, "user-nobody")).toEqual([]);
    });

    it("reads all streams in position order, from any position, with a limit", async () => {
      await append([{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }]);
      await append([{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }]);
      await append([{ streamId: "user-a", expectedVersion: 1, events: [userTagged("A", "k", "v")] }]);

      const all = await readAll(db.prisma, 0);
      expect(all.map((e) => [e.streamId, e.streamVersion])).toEqual([
        ["user-a", 1],
        ["user-b", 1],
        ["user-a", 2],
      ]);
      expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => a - b));
      expect(await readAll(db.prisma, all[0]!.position)).toEqual(all.slice(1));
      expect(await readAll(db.prisma, 0, 2)).toEqual(all.slice(0, 2));
      expect(await headPosition(db.prisma)).toBe(all[2]!.position);
    });

    it("has head position 0 when the log is empty", async () => {
      expect(await headPosition(db.prisma)).toBe(0);
      expect(await readAll(db.prisma, 0)).toEqual([]);
    });

    it("round-trips metadata (actor, request, correlation, causation) and occurredAt", async () => {
      const meta: EventMetadata = { ...metadata, requestId: "req-42", correlationId: "corr-7", causationId: "evt-3" };
      await append([{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }], meta, occurredAt);

      const [event] = await readStream(db.prisma, "user-a");
      expect(event!.metadata).toEqual(meta);
      expect(event!.occurredAt).toEqual(occurredAt);
      expect(event!.schemaVersion).toBe(1);
    });

    it("appends nothing (and takes no position) for an empty batch", async () => {
      expect(await append([{ streamId: "user-a", expectedVersion: 5, events: [] }])).toEqual([]);
      expect(await headPosition(db.prisma)).toBe(0);
    });
  });

  describe("expected version", () => {
    const seed = () => append([{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }]);

    it("accepts the exact current version", async () => {
      await seed();
      const stored = await append([{ streamId: "user-a", expectedVersion: 1, events: [userTagged("A", "k", "v")] }]);
      expect(stored.map((e) => e.streamVersion)).toEqual([2]);
    });

    it("accepts 0 as the version of a stream that does not exist", async () => {
      const stored = await append([{ streamId: "user-a", expectedVersion: 0, events: [userCreated("alice", "A")] }]);
      expect(stored.map((e) => e.streamVersion)).toEqual([1]);
    });

    it("accepts `any` whatever the stream holds", async () => {
      await append([{ streamId: "user-a", expectedVersion: "any", events: [userCreated("alice", "A")] }]);
      await append([{ streamId: "user-a", expectedVersion: "any", events: [userTagged("A", "k", "v")] }]);
      expect((await readStream(db.prisma, "user-a")).map((e) => e.streamVersion)).toEqual([1, 2]);
    });

    it.each([
      ["a stale version", 0, "Stream user-a is at version 1, expected 0. Another request changed it; retry."],
      ["a future version", 2, "Stream user-a is at version 1, expected 2. Another request changed it; retry."],
      ["noStream on an existing stream", "noStream" as const, "Stream user-a is at version 1, expected no stream. Another request changed it; retry."],
    ])("refuses %s with ConcurrentModification and writes nothing", async (_, expectedVersion, message) => {
      await seed();
      const head = await headPosition(db.prisma);

      const attempt = append([{ streamId: "user-a", expectedVersion, events: [userTagged("A", "k", "v")] }]);

      await expect(attempt).rejects.toThrow(DomainError);
      await expect(attempt).rejects.toMatchObject({ code: "ConcurrentModification", message });
      expect(await headPosition(db.prisma)).toBe(head);
    });

    it("refuses a multi-stream append as a whole when a later stream conflicts", async () => {
      await append([{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }]);
      const before = await allEvents();

      const attempt = append([
        { streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] },
        { streamId: "user-b", expectedVersion: "noStream", events: [userTagged("B", "k", "v")] },
      ]);

      await expect(attempt).rejects.toMatchObject({ code: "ConcurrentModification" });
      expect(await readStream(db.prisma, "user-a")).toEqual([]);
      expect(await allEvents()).toEqual(before);
    });

    it("appends to several streams in one call, each from its own version", async () => {
      await append([{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }]);
      const stored = await append([
        { streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] },
        { streamId: "user-b", expectedVersion: 1, events: [userTagged("B", "k", "1"), userTagged("B", "k", "2")] },
      ]);
      expect(stored.map((e) => [e.streamId, e.streamVersion])).toEqual([
        ["user-a", 1],
        ["user-b", 2],
        ["user-b", 3],
      ]);
      expect(stored.map((e) => e.position)).toEqual((await allEvents()).slice(1).map((e) => e.position));
    });
  });

  describe("atomicity", () => {
    it("makes a command's events visible only if its transaction commits", async () => {
      const attempt = db.prisma.$transaction(async (tx) => {
        await appendToStreams(tx, [{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }], metadata, occurredAt);
        await appendToStreams(tx, [{ streamId: "user-b", expectedVersion: "noStream", events: [userCreated("bob", "B")] }], metadata, occurredAt);
        throw new Error("the command failed after appending");
      });

      await expect(attempt).rejects.toThrow("the command failed after appending");
      expect(await allEvents()).toEqual([]);
      expect(await headPosition(db.prisma)).toBe(0);
    });
  });

  describe("concurrency", () => {
    it("lets exactly one of N writers expecting the same version win", async () => {
      await append([{ streamId: "user-a", expectedVersion: "noStream", events: [userCreated("alice", "A")] }]);

      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => outcome(append([{ streamId: "user-a", expectedVersion: 1, events: [userTagged("A", "k", String(i))] }]))),
      );

      expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "ConcurrentModification")).toHaveLength(7);
      expect((await readStream(db.prisma, "user-a")).map((e) => e.streamVersion)).toEqual([1, 2]);
    });

    it("gives each version of a contended stream to exactly one writer, with no duplicates", async () => {
      // Each writer reads the version, appends expecting it, and retries on conflict until it lands.
      const writers = 6;
      const wins: number[] = [];
      const writer = async (i: number) => {
        for (;;) {
          const version = (await readStream(db.prisma, "user-a")).length;
          const result = await outcome(append([{ streamId: "user-a", expectedVersion: version, events: [userTagged("A", "writer", String(i))] }]));
          if (result === "ok") return wins.push(version);
          expect(result).toBe("ConcurrentModification");
        }
      };
      await Promise.all(Array.from({ length: writers }, (_, i) => writer(i)));

      expect([...wins].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
      const stream = await readStream(db.prisma, "user-a");
      expect(stream.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(stream.map((e) => (e.data as { tags: { value: string }[] }).tags[0]!.value)).size).toBe(writers);
    });

    it("keeps every event of M parallel writers exactly once, in strictly increasing positions", async () => {
      const streams = 8;
      const perStream = 5;
      await Promise.all(
        Array.from({ length: streams }, async (_, s) => {
          for (let v = 0; v < perStream; v++) {
            await append([{ streamId: `user-${s}`, expectedVersion: v, events: [v === 0 ? userCreated(`u${s}`, `U${s}`) : userTagged(`U${s}`, "n", String(v))] }]);
          }
        }),
      );

      const all = await allEvents();
      expect(all).toHaveLength(streams * perStream);
      all.slice(1).forEach((e, i) => expect(e.position).toBeGreaterThan(all[i]!.position));
      expect(new Set(all.map((e) => `${e.streamId}@${e.streamVersion}`)).size).toBe(all.length);
      for (let s = 0; s < streams; s++) {
        expect(all.filter((e) => e.streamId === `user-${s}`).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
      }
    });
  });
});

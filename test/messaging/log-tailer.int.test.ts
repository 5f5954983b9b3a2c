import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandPipeline, type CommandPipeline } from "../../src/app/command-pipeline.js";
import type { StoredEvent } from "../../src/eventstore/stored-event.js";
import { FeedWaitTimeout } from "../../src/messaging/event-feed.js";
import { LogTailer } from "../../src/messaging/log-tailer.js";
import { backends, type TestDatabase } from "../support/databases.js";

// The log tailer wakes on the NOTIFY of the appending transaction, not on its poll: every test
// polls once a minute, so a delivery within the test's bound came from the notification.
describe.each(backends)("log tailer on $name", (backend) => {
  let db: TestDatabase;
  let pipeline: CommandPipeline;
  let tailer: LogTailer;
  const delivered: StoredEvent[] = [];
  const createUser = (userName: string) => pipeline.handle({ type: "CreateUser", userName, path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });

  beforeAll(async () => {
    db = await backend.open();
    // No `settle`: nothing pokes the tailer after a commit.
    pipeline = createCommandPipeline({ db, accountId: "123456789012", logger: pino({ level: "silent" }) });
    await createUser("before-start");
    tailer = new LogTailer(db, { pollMs: 60_000 });
    await tailer.start(0, (events) => void delivered.push(...events));
  });
  afterAll(async () => {
    await tailer?.close();
    await db?.dispose();
  });

  test("delivers the log from the checkpoint, then each commit as it is notified, in order, once", async () => {
    expect((await tailer.waitFor(1, 5_000)) >= 1).toBe(true);
    const { position } = await createUser("notified");
    await tailer.waitFor(position, 10_000);
    expect(delivered.map((e) => e.position)).toEqual(Array.from({ length: position }, (_, i) => i + 1));
    expect(tailer.position).toBe(position);
  });

  test("waitFor a position never reached rejects with where the feed is", async () => {
    const err = await tailer.waitFor(tailer.position + 1000, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedWaitTimeout);
    expect((err as FeedWaitTimeout).reached).toBe(tailer.position);
  });

  test("without notifications (LISTEN refused), the poll still delivers every commit", async () => {
    const deaf = new LogTailer({ prisma: db.prisma, listen: () => Promise.reject(new Error("no LISTEN here")) }, { pollMs: 50 });
    const got: number[] = [];
    await deaf.start(tailer.position, (events) => void got.push(...events.map((e) => e.position)));
    try {
      const { position } = await createUser("polled");
      expect(await deaf.waitFor(position, 10_000)).toBe(position);
      expect(got).toEqual([position]);
    } finally {
      await deaf.close();
    }
  });

  test.skipIf(backend.name !== "postgres")("a LISTEN session killed by the server is re-opened, and what was appended meanwhile is read", async () => {
    const killed = await db.sql.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'iamgraph log tailer' AND query ILIKE 'LISTEN%' AND datname = current_database() AND pid <> pg_backend_pid()
         AND query LIKE '%' || md5(current_schema()) || '%'`,
    );
    expect(killed[0]!.n).toBe(1);
    const { position } = await createUser("after-the-drop");
    await tailer.waitFor(position, 10_000);
    // And the new session is notified of the next commit too.
    const next = await createUser("on-the-new-session");
    await tailer.waitFor(next.position, 10_000);
    expect(delivered.at(-1)!.position).toBe(next.position);
  });
});

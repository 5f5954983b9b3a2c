import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GroupCommitWriter } from "../../src/app/group-commit.js";
import { appendToStreams } from "../../src/eventstore/append.js";
import { readAll } from "../../src/eventstore/read.js";
import type { IamEvent } from "../../events/catalogue.js";
import { backends, type TestDatabase } from "../support/databases.js";

const metadata = { accountId: "123456789012", actor: "test", requestId: "r", correlationId: "r" };
const created = (name: string): IamEvent => ({
  type: "UserCreated",
  data: { userId: name, userName: name, path: "/", arn: `arn:aws:iam::123456789012:user/${name}`, tags: [] },
});

describe.each(backends)("group commit on %s", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => db?.dispose());

  it("runs concurrent jobs in shared transactions, each refused job rolling back alone", async () => {
    const writer = new GroupCommitWriter(db);
    const names = Array.from({ length: 24 }, (_, i) => `u${i}`);
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        writer.submit(async (tx) => {
          const stored = await appendToStreams(tx, [{ streamId: `user-${name}`, expectedVersion: "noStream", events: [created(name)] }], metadata, new Date(), {
            lockHeld: true,
          });
          // Every fifth job fails after it has written: its event must not survive.
          if (i % 5 === 4) throw new Error(`job ${i} fails after writing`);
          return stored[0]!.position;
        }),
      ),
    );

    const failed = outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []));
    expect(failed).toEqual([4, 9, 14, 19]);
    const log = await readAll(db.prisma, 0);
    expect(log.map((e) => e.streamId).sort()).toEqual(names.filter((_, i) => i % 5 !== 4).map((n) => `user-${n}`).sort());
    // Positions handed back are the committed ones.
    const positions = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value as number] : []));
    expect(new Set(positions)).toEqual(new Set(log.map((e) => e.position)));
    // Jobs that queued behind a running transaction shared the next one.
    expect(writer.stats.jobs).toBe(24);
    expect(writer.stats.batches).toBeLessThan(24);
  });
});

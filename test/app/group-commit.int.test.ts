import { afterAll, beforeEach, beforeAll, describe, expect, it } from "vitest";
import { GroupCommitWriter } from "../../src/app/group-commit.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { appendToStreams } from "../../src/eventstore/append.js";
import { logChannel } from "../../src/eventstore/log-notify.js";
import { readAll } from "../../src/eventstore/read.js";
import type { IamEvent } from "../../events/catalogue.js";
import { backends, type TestDatabase } from "../support/databases.js";

const metadata = { accountId: "123456789012", actor: "test", requestId: "r", correlationId: "r" };
const created = (name: string): IamEvent => ({
  type: "UserCreated",
  data: { userId: name, userName: name, path: "/", arn: `arn:aws:iam::123456789012:user/${name}`, tags: [] },
});
const names = Array.from({ length: 24 }, (_, i) => `u${i}`);
const failing = (i: number) => i % 5 === 4;

describe.each(backends)("group commit on %s", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  beforeEach(async () => {
    await db.sql.exec("TRUNCATE events RESTART IDENTITY");
  });
  afterAll(async () => db?.dispose());

  const append = (tx: Parameters<Parameters<GroupCommitWriter["submit"]>[0]>[0], name: string) =>
    appendToStreams(tx, [{ streamId: `user-${name}`, expectedVersion: "noStream", events: [created(name)] }], metadata, new Date());

  async function expectCommitted(outcomes: PromiseSettledResult<unknown>[]) {
    expect(outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []))).toEqual([4, 9, 14, 19]);
    const log = await readAll(db.prisma, 0);
    expect(log.map((e) => e.streamId).sort()).toEqual(names.filter((_, i) => !failing(i)).map((n) => `user-${n}`).sort());
    // Positions handed back are the committed ones.
    const positions = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value as number] : []));
    expect(new Set(positions)).toEqual(new Set(log.map((e) => e.position)));
  }

  it("runs queued jobs in shared transactions; a refused job (before writing) is dropped alone", async () => {
    const writer = new GroupCommitWriter(db);
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        writer.submit(async (tx) => {
          if (failing(i)) throw new DomainError("EntityAlreadyExists", `job ${i} is refused`);
          return (await append(tx, name))[0]!.position;
        }),
      ),
    );
    await expectCommitted(outcomes);
    expect(outcomes[4]).toMatchObject({ status: "rejected", reason: { code: "EntityAlreadyExists" } });
    // Jobs that queued behind a running transaction shared the next one.
    expect(writer.stats.jobs).toBe(24);
    expect(writer.stats.batches).toBeLessThan(24);
  });

  it("a job that fails after writing rolls its batch back, and every job of it runs again alone", async () => {
    const writer = new GroupCommitWriter(db);
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        writer.submit(async (tx) => {
          const stored = await append(tx, name);
          if (failing(i)) throw new Error(`job ${i} fails after writing`);
          return stored[0]!.position;
        }),
      ),
    );
    await expectCommitted(outcomes);
    expect(outcomes[9]).toMatchObject({ status: "rejected", reason: { message: "job 9 fails after writing" } });
  });

  it("a failed statement inside a shared transaction never takes the other jobs' work down with it", async () => {
    const writer = new GroupCommitWriter(db);
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        writer.submit(async (tx) => {
          // A DomainError thrown after a failed statement: the probe sees the aborted transaction.
          if (failing(i)) {
            await tx.$queryRawUnsafe("SELECT 1/0").catch(() => undefined);
            throw new DomainError("InvalidInput", `job ${i}`);
          }
          return (await append(tx, name))[0]!.position;
        }),
      ),
    );
    await expectCommitted(outcomes);
  });

  it("each committed transaction announces itself once — a shared one at its commit, bare appends after theirs", async () => {
    const channel = await logChannel(db.prisma);
    let notices = 0;
    const listener = await db.listen(channel, () => notices++, () => undefined);
    try {
      const settle = async (count: number) => {
        // A notice comes with (or right after) its commit; a second one for the same commit would follow at once.
        for (let i = 0; i < 200 && notices < count; i++) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 100));
      };
      const writer = new GroupCommitWriter(db);
      await Promise.all(["a", "b", "c"].map((name) => writer.submit((tx) => append(tx, name))));
      await settle(writer.stats.batches);
      expect(notices).toBe(writer.stats.batches);
      const before = notices;
      await writer.append([{ streamId: "user-bare", expectedVersion: "noStream", events: [created("bare")] }], metadata, new Date());
      await settle(before + 1);
      expect(notices).toBe(before + 1);
    } finally {
      await listener.close();
    }
  });
});

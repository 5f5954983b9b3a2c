import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Command } from "../../src/app/command.js";
import { loadConfig } from "../../src/config/config.js";
import { writeLockKey } from "../../src/eventstore/write-lock.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { allow, createCaller, policyOf } from "../support/callers.js";
import { postgres, postgresUrl } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";
import { testEnv } from "../support/root-key.js";

// Issue 11, defect 3: a command is authorized under the write lock, on the state its decider
// sees. The race: a second instance on the same PostgreSQL database holds the write lock with a
// tag change applied but not yet committed; the caller's request arrives, is read, and waits for
// the lock; the tag change commits; then the request runs. Authorized on facts read before the
// lock (the old guard), it went through although the state it acts on refuses it.

const ACCOUNT = "123456789012";
const result = `__typename ... on IamError { code message }`;
const deleteUser = `mutation ($n: String!) { r: deleteUser(userName: $n) { ${result} } }`;

describe.skipIf(!postgresUrl)("authorization under the write lock on postgres", () => {
  let t: TestApp;
  let other: Iamgraph;
  beforeAll(async () => {
    t = await startTestApp(postgres);
    // Another API instance sharing the database: its own writer, its own caches, no shared bus.
    other = await startIamgraph(loadConfig(testEnv), { db: t.db, migrate: false, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  /**
   * Runs `change` on the other instance and holds its transaction open (write lock held, change
   * applied, not committed) until the caller's `request` is waiting for the lock; then commits.
   */
  async function race<T>(change: Command, request: () => Promise<T>): Promise<T> {
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const changed = other.commands.handle(change, { actor: `arn:aws:iam::${ACCOUNT}:root` }, {
      alongside: async () => {
        inside();
        await released;
      },
    });
    await entered;
    const answer = request();
    try {
      await waitForLockWaiter();
    } finally {
      release();
      await changed;
    }
    return answer;
  }

  /** Until some session waits for this schema's write lock (pg_locks: granted = false). */
  async function waitForLockWaiter(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const rows = await t.db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = hashtext(current_schema())::oid`,
        writeLockKey,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("the request never waited for the write lock");
  }

  test("aws:ResourceTag: a tag removed while the request waits for the lock refuses it; nothing is written", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "race-target", tags: [{ key: "team", value: "blue" }]) { ${result} } }`), "r");
    const caller = await createCaller(t, {
      userName: "race-deleter",
      policies: [policyOf(allow("iam:DeleteUser", `arn:aws:iam::${ACCOUNT}:user/*`, { StringEquals: { "aws:ResourceTag/team": "blue" } }))],
    });
    const before = await t.eventCount();
    const r = await race({ type: "UntagUser", userName: "race-target", tagKeys: ["team"] }, () => caller.client.request(deleteUser, { n: "race-target" }));
    expect(r.data.r).toEqual({
      __typename: "IamError",
      code: "AccessDenied",
      message: `User: ${caller.arn} is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::${ACCOUNT}:user/race-target because no identity-based policy allows the iam:DeleteUser action`,
    });
    expect(await t.eventCount()).toBe(before + 1); // only the untag
    expect((await t.client.request(`{ user(userName: "race-target") { userName } }`)).data.user.userName).toBe("race-target");
  });

  test("aws:PrincipalTag: the caller's own tag removed while its request waits for the lock refuses it", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "race-victim") { ${result} } }`), "r");
    const caller = await createCaller(t, {
      userName: "race-engineer",
      tags: [{ key: "dept", value: "eng" }],
      policies: [policyOf(allow("iam:DeleteUser", `arn:aws:iam::${ACCOUNT}:user/*`, { StringEquals: { "aws:PrincipalTag/dept": "eng" } }))],
    });
    // Warm: the caller's compiled policies and tags are in this instance's memory.
    expect((await caller.client.request(`mutation { r: deleteUser(userName: "race-nobody") { ${result} } }`)).data.r.code).toBe("NoSuchEntity");
    const r = await race({ type: "UntagUser", userName: "race-engineer", tagKeys: ["dept"] }, () => caller.client.request(deleteUser, { n: "race-victim" }));
    expect(r.data.r).toMatchObject({ __typename: "IamError", code: "AccessDenied" });
    expect((await t.client.request(`{ user(userName: "race-victim") { userName } }`)).data.user.userName).toBe("race-victim");
  });

  test("allowed when the change under the lock grants what was refused before it", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "race-later") { ${result} } }`), "r");
    const caller = await createCaller(t, {
      userName: "race-tagger",
      policies: [policyOf(allow("iam:DeleteUser", `arn:aws:iam::${ACCOUNT}:user/*`, { StringEquals: { "aws:ResourceTag/team": "blue" } }))],
    });
    const r = await race({ type: "TagUser", userName: "race-later", tags: [{ key: "team", value: "blue" }] }, () => caller.client.request(deleteUser, { n: "race-later" }));
    expect(r.data.r).toEqual({ __typename: "PositionPayload" });
  });
});

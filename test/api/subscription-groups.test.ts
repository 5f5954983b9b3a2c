import { GraphQLError, parse, type ExecutionResult } from "graphql";
import { describe, expect, test } from "vitest";
import { groupKey, SubscriptionGroups, type FrameSocket } from "../../src/api/subscription-groups.js";

// SubscriptionGroups against in-memory fakes: what each member's socket receives, when the shared
// upstream is pulled or closed, and which subscriptions may share a key at all.

/** A socket that records what is written to it; no cork, so frames go out at once. */
function fakeSocket() {
  const sent: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  const socket: FrameSocket & { bufferedAmount: number } = {
    bufferedAmount: 0,
    send: (frame) => void sent.push(frame.toString("utf8")),
    close: (code, reason) => void closes.push({ code, reason }),
  };
  return Object.assign(socket, { sent, closes, frames: () => sent.map((f) => JSON.parse(f)) });
}

type Step = () => Promise<IteratorResult<ExecutionResult>>;

/** An upstream we push results into, counting pulls and return() calls. */
function fakeUpstream() {
  const queue: Step[] = [];
  let waiter: ((step: Step) => void) | undefined;
  const counts = { pulls: 0, returns: 0 };
  const deliver = (step: Step) => void (waiter ? (waiter(step), (waiter = undefined)) : queue.push(step));
  const done: Step = async () => ({ value: undefined, done: true });
  const iterator: AsyncIterator<ExecutionResult> = {
    next: () => {
      counts.pulls++;
      const step = queue.shift();
      return step ? step() : new Promise<Step>((r) => (waiter = r)).then((s) => s());
    },
    return: async () => {
      counts.returns++;
      deliver(done);
      return { value: undefined, done: true };
    },
  };
  return {
    iterator,
    counts,
    push: (value: ExecutionResult) => deliver(async () => ({ value, done: false })),
    end: () => deliver(done),
    fail: (err: unknown) => deliver(() => Promise.reject(err)),
  };
}

/** Lets the pump run: microtasks and one macrotask. */
const flush = () => new Promise<void>((r) => setImmediate(r));
const change = (position: number, extra: Record<string, unknown> = {}): ExecutionResult => ({ data: { permissionsChanged: { position, ...extra } } });
const groups = () => new SubscriptionGroups({ maxBufferedBytes: 1000 });

describe("SubscriptionGroups", () => {
  test("every member receives every result once, as a graphql-ws next frame with its own id", async () => {
    const [g, a, b, up] = [groups(), fakeSocket(), fakeSocket(), fakeUpstream()];
    g.join("k", a, "1", up.iterator);
    // An id needing JSON escaping: the frame head must still parse.
    g.join("k", b, 'sub "2"', fakeUpstream().iterator);
    expect(g.stats()).toEqual({ groups: 1, members: 2 });
    const results: ExecutionResult[] = [change(10, { entered: ["x"] }), change(11), { data: null, errors: [new GraphQLError("boom")] }];
    for (const r of results) up.push(r);
    await flush();
    // Payloads as JSON carries them (a GraphQLError serialises to its message and the like).
    const payloads = results.map((r) => JSON.parse(JSON.stringify(r)));
    expect(payloads[2].errors).toEqual([{ message: "boom" }]);
    expect(a.frames()).toEqual(payloads.map((payload) => ({ id: "1", type: "next", payload })));
    expect(b.frames()).toEqual(payloads.map((payload) => ({ id: 'sub "2"', type: "next", payload })));
    // One pull per result, plus the one now waiting for the next.
    expect(up.counts.pulls).toBe(results.length + 1);
  });

  test("a later join closes its own freshly started stream at once and never pulls it", async () => {
    const [g, up, spare] = [groups(), fakeUpstream(), fakeUpstream()];
    g.join("k", fakeSocket(), "1", up.iterator);
    g.join("k", fakeSocket(), "2", spare.iterator);
    expect(spare.counts).toEqual({ pulls: 0, returns: 1 });
    up.push(change(1));
    await flush();
    expect(spare.counts.pulls).toBe(0);
    expect(up.counts.returns).toBe(0);
  });

  test("a socket over the byte limit is closed with 4429 and dropped; the others are not held up", async () => {
    const [g, fast, slow, up] = [groups(), fakeSocket(), fakeSocket(), fakeUpstream()];
    g.join("k", fast, "1", up.iterator);
    const slowMember = g.join("k", slow, "2", fakeUpstream().iterator);
    const slowNext = slowMember.next();
    up.push(change(5));
    await flush();
    slow.bufferedAmount = 1001;
    up.push(change(6));
    up.push(change(7));
    await flush();
    expect(fast.frames().map((f) => f.payload.data.permissionsChanged.position)).toEqual([5, 6, 7]);
    expect(slow.frames().map((f) => f.payload.data.permissionsChanged.position)).toEqual([5]);
    expect(slow.closes).toEqual([{ code: 4429, reason: expect.stringMatching(/^Subscription buffer overflow; resubscribe with after: \d+$/) }]);
    // The dropped member's iterator ends, so graphql-ws lets go of it.
    await expect(slowNext).resolves.toEqual({ value: undefined, done: true });
    expect(g.stats()).toEqual({ groups: 1, members: 1 });
    expect(up.counts.returns).toBe(0);
  });

  // Resuming with `after: P` replays what came after P. The slow member was last sent position 5
  // (6 was never written to it), so its close reason must say 5; saying 6 loses change 6.
  test("the overflow reason names the last position that member was sent, so a resume misses nothing", async () => {
    const [g, slow, up] = [groups(), fakeSocket(), fakeUpstream()];
    g.join("k", fakeSocket(), "1", up.iterator);
    g.join("k", slow, "2", fakeUpstream().iterator);
    up.push(change(5));
    await flush();
    slow.bufferedAmount = 1001;
    up.push(change(6));
    await flush();
    const sentPositions = slow.frames().map((f) => f.payload.data.permissionsChanged.position);
    expect(sentPositions).toEqual([5]);
    expect(slow.closes[0]?.reason).toBe(`Subscription buffer overflow; resubscribe with after: ${sentPositions.at(-1)}`);
  });

  test("the last member dropped for overflow closes the upstream", async () => {
    const [g, slow, up] = [groups(), fakeSocket(), fakeUpstream()];
    g.join("k", slow, "1", up.iterator);
    slow.bufferedAmount = 5000;
    up.push(change(1));
    await flush();
    expect(slow.closes.map((c) => c.code)).toEqual([4429]);
    expect(up.counts.returns).toBe(1);
    expect(g.stats()).toEqual({ groups: 0, members: 0 });
  });

  test("a member leaving keeps the upstream for the rest; the last leaving closes it, and the key starts afresh", async () => {
    const [g, a, b, up] = [groups(), fakeSocket(), fakeSocket(), fakeUpstream()];
    const ma = g.join("k", a, "1", up.iterator);
    const mb = g.join("k", b, "2", fakeUpstream().iterator);
    const pending = ma.next();
    await ma.return();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(g.stats()).toEqual({ groups: 1, members: 1 });
    expect(up.counts.returns).toBe(0);
    up.push(change(3));
    await flush();
    expect(a.sent).toHaveLength(0);
    expect(b.frames().map((f) => f.payload)).toEqual([change(3)]);

    await mb.return();
    expect(up.counts.returns).toBe(1);
    expect(g.stats()).toEqual({ groups: 0, members: 0 });
    // Same key again: a new group on the new stream, not the closed one.
    const [fresh, c] = [fakeUpstream(), fakeSocket()];
    g.join("k", c, "3", fresh.iterator);
    expect(g.stats()).toEqual({ groups: 1, members: 1 });
    expect(fresh.counts).toEqual({ pulls: 1, returns: 0 });
    fresh.push(change(4));
    await flush();
    expect(c.frames()).toEqual([{ id: "3", type: "next", payload: change(4) }]);
  });

  test("the upstream ending ends every member's iterator", async () => {
    const [g, up] = [groups(), fakeUpstream()];
    const ma = g.join("k", fakeSocket(), "1", up.iterator);
    const mb = g.join("k", fakeSocket(), "2", fakeUpstream().iterator);
    const [na, nb] = [ma.next(), mb.next()];
    up.end();
    await expect(na).resolves.toEqual({ value: undefined, done: true });
    await expect(nb).resolves.toEqual({ value: undefined, done: true });
    expect(g.stats()).toEqual({ groups: 0, members: 0 });
  });

  test("the upstream throwing rejects every member's next with that error", async () => {
    const [g, up] = [groups(), fakeUpstream()];
    const ma = g.join("k", fakeSocket(), "1", up.iterator);
    const mb = g.join("k", fakeSocket(), "2", fakeUpstream().iterator);
    const pending = ma.next();
    const err = new Error("hub lost");
    up.fail(err);
    await expect(pending).rejects.toBe(err);
    // A member that was not waiting learns it on its next pull.
    await expect(mb.next()).rejects.toBe(err);
    expect(g.stats()).toEqual({ groups: 0, members: 0 });
  });

  test("frames for one socket from several groups in one turn leave in one write: corked at the first, uncorked once after", async () => {
    const g = groups();
    const log: string[] = [];
    const socket: FrameSocket = {
      bufferedAmount: 0,
      send: (frame) => void log.push(`send ${JSON.parse(frame.toString("utf8")).id}`),
      close: () => undefined,
      cork: () => void log.push("cork"),
      uncork: () => void log.push("uncork"),
    };
    const [alice, bob] = [fakeUpstream(), fakeUpstream()];
    g.join("alice", socket, "1", alice.iterator);
    g.join("bob", socket, "2", bob.iterator);
    alice.push(change(7));
    bob.push(change(7));
    await flush();
    await flush();
    expect(log).toEqual(["cork", "send 1", "send 2", "uncork"]);
    // The next turn corks afresh.
    alice.push(change(8));
    await flush();
    await flush();
    expect(log.slice(4)).toEqual(["cork", "send 1", "uncork"]);
  });
});

describe("groupKey", () => {
  const alice = { caller: { kind: "user", arn: "arn:aws:iam::123456789012:user/alice" }, origin: { sourceIp: "10.0.0.1" } };
  const field = (after: string) => `permissionsChanged(principalArn: $arn, after: ${after}) { position }`;
  const key = (query: string, variableValues?: Record<string, unknown>, identity: unknown = alice) =>
    groupKey({ document: parse(query), variableValues, query, identity });

  test("a resume runs on its own: literal after, a non-null variable, or a non-null default", () => {
    expect(key(`subscription ($arn: String!) { ${field("5")} }`, { arn: "x" })).toBeUndefined();
    expect(key(`subscription ($arn: String!, $a: Position) { ${field("$a")} }`, { arn: "x", a: 5 })).toBeUndefined();
    expect(key(`subscription ($arn: String!, $a: Position = 4) { ${field("$a")} }`, { arn: "x" })).toBeUndefined();
  });

  test("a live subscription has a key: after null, a null or absent variable without default", () => {
    expect(key(`subscription ($arn: String!) { ${field("null")} }`, { arn: "x" })).toEqual(expect.any(String));
    const q = `subscription ($arn: String!, $a: Position) { ${field("$a")} }`;
    expect(key(q, { arn: "x", a: null })).toEqual(expect.any(String));
    expect(key(q, { arn: "x" })).toEqual(expect.any(String));
    expect(key(`subscription ($arn: String!, $a: Position = null) { ${field("$a")} }`, { arn: "x" })).toEqual(expect.any(String));
    // An explicit null overrides the default: live, not a resume.
    expect(key(`subscription ($arn: String!, $a: Position = 4) { ${field("$a")} }`, { arn: "x", a: null })).toEqual(expect.any(String));
    expect(key(`query { __typename }`)).toBeUndefined();
  });

  test("keys are equal for the same document, variables and identity, and differ otherwise", () => {
    const q = `subscription ($arn: String!) { ${field("null")} }`;
    const base = key(q, { arn: "alice" });
    // Separately parsed and separately built: equal by value, not by reference.
    expect(key(q, { arn: "alice" }, structuredClone(alice))).toBe(base);
    expect(key(q, { arn: "bob" })).not.toBe(base);
    expect(key(q, { arn: "alice" }, { ...alice, caller: { kind: "user", arn: "arn:aws:iam::123456789012:user/bob" } })).not.toBe(base);
    expect(key(q, { arn: "alice" }, { ...alice, origin: { sourceIp: "10.0.0.2" } })).not.toBe(base);
    expect(key(`subscription ($arn: String!) { ${field("null").replace("position", "position principalExists")} }`, { arn: "alice" })).not.toBe(base);
  });
});

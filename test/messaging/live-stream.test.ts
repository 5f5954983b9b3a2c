import { describe, expect, test } from "vitest";
import { LiveStream, SubscriptionOverflow, type Positioned } from "../../src/messaging/live-stream.js";

// The seam between catch-up and live, and what a slow subscriber costs: given a log and live
// messages arriving at chosen moments, then what the subscriber sees.

type M = Positioned & { readonly n: number };
const m = (position: number): M => ({ position, n: position });

/** A live source the test publishes into, like the hub does. */
function source() {
  const sinks = new Set<(x: M) => void>();
  return {
    attach: (sink: (x: M) => void) => {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    publish: (...xs: M[]) => xs.forEach((x) => sinks.forEach((s) => s(x))),
    get size() {
      return sinks.size;
    },
  };
}

async function take(stream: LiveStream<M>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await stream.next()).value!.position);
  return out;
}

describe("LiveStream", () => {
  test("given a log and live messages racing the catch-up, the seam has no gap and no duplicate", async () => {
    const live = source();
    let stream!: LiveStream<M>;
    async function* catchUp(after: number): AsyncGenerator<M, number> {
      // While the log is read, 4 and 5 commit and are published (4 is also in the last page).
      yield m(after + 1);
      live.publish(m(4), m(5));
      yield m(after + 2);
      yield m(4);
      return 4;
    }
    stream = new LiveStream<M>({ after: 1, limit: 10, attach: live.attach, catchUp });
    expect(await take(stream, 4)).toEqual([2, 3, 4, 5]);
    live.publish(m(5), m(6));
    expect(await take(stream, 1)).toEqual([6]);
  });

  test("the position the catch-up read to drops live messages below it even if none of them matched", async () => {
    const live = source();
    async function* catchUp(): AsyncGenerator<M, number> {
      live.publish(m(7));
      return 9;
    }
    const stream = new LiveStream<M>({ after: 3, limit: 10, attach: live.attach, catchUp });
    live.publish(m(10));
    expect(await take(stream, 1)).toEqual([10]);
  });

  test("without after, only live messages, delivered as they come", async () => {
    const live = source();
    const stream = new LiveStream<M>({ limit: 10, attach: live.attach, catchUp: () => { throw new Error("no catch-up expected"); } });
    const next = stream.next();
    live.publish(m(8));
    expect((await next).value!.position).toBe(8);
  });

  test("a subscriber that stops reading is cut off at its limit with the position to resume after; others are not slowed", async () => {
    const live = source();
    const overflows: SubscriptionOverflow[] = [];
    const slow = new LiveStream<M>({ limit: 3, attach: live.attach, catchUp: () => { throw new Error(); }, onOverflow: (o) => overflows.push(o) });
    const fast = new LiveStream<M>({ limit: 3, attach: live.attach, catchUp: () => { throw new Error(); } });
    live.publish(m(1));
    expect(await take(slow, 1)).toEqual([1]);
    expect(await take(fast, 1)).toEqual([1]);
    const seen: number[] = [];
    for (let p = 2; p <= 10; p++) {
      live.publish(m(p));
      seen.push(...(await take(fast, 1)));
    }
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]!.position).toBe(1);
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriptionOverflow);
    expect(live.size).toBe(1); // the slow one let go of the source
  });

  test("ending an idle subscription releases it at once (no message needed to wake it)", async () => {
    const live = source();
    const stream = new LiveStream<M>({ limit: 3, attach: live.attach, catchUp: () => { throw new Error(); } });
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(live.size).toBe(0);
  });
});

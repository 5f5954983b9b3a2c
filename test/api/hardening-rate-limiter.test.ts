import { describe, expect, test } from "vitest";
import { RateLimiter } from "../../src/api/hardening/rate-limiter.js";

// A token bucket per key: `burst` at once, then `ratePerSecond`; time is the test's own clock.
function limiter(options: { ratePerSecond: number; burst: number; maxKeys?: number }) {
  let now = 1_000_000;
  const rl = new RateLimiter({ ...options, now: () => now });
  return { rl, advance: (ms: number) => (now += ms), setNow: (ms: number) => (now = ms) };
}

describe("RateLimiter", () => {
  test("a new key may spend its whole burst at once, then waits for the rate", () => {
    const { rl } = limiter({ ratePerSecond: 2, burst: 3 });
    expect([rl.take("k"), rl.take("k"), rl.take("k")]).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    // One token comes back every 500 ms.
    expect(rl.take("k")).toEqual({ allowed: false, retryAfterMs: 500 });
  });

  test("tokens come back with time, never above the burst", () => {
    const { rl, advance } = limiter({ ratePerSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) rl.take("k");
    advance(250);
    expect(rl.take("k")).toEqual({ allowed: false, retryAfterMs: 250 });
    advance(250);
    expect(rl.take("k")).toEqual({ allowed: true });
    advance(60_000);
    expect([1, 2, 3, 4].map(() => rl.take("k").allowed)).toEqual([true, true, true, false]);
  });

  test("keys are independent", () => {
    const { rl } = limiter({ ratePerSecond: 1, burst: 1 });
    expect(rl.take("a").allowed).toBe(true);
    expect(rl.take("a").allowed).toBe(false);
    expect(rl.take("b").allowed).toBe(true);
  });

  test("a refused take spends nothing: the wait does not grow with retries", () => {
    const { rl, advance } = limiter({ ratePerSecond: 1, burst: 1 });
    rl.take("k");
    for (let i = 0; i < 10; i++) expect(rl.take("k")).toEqual({ allowed: false, retryAfterMs: 1000 });
    advance(1000);
    expect(rl.take("k").allowed).toBe(true);
  });

  test("a cost larger than one spends several tokens", () => {
    const { rl } = limiter({ ratePerSecond: 10, burst: 10 });
    expect(rl.take("k", 8).allowed).toBe(true);
    expect(rl.take("k", 3)).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(rl.take("k", 2).allowed).toBe(true);
  });

  test("reset forgets a key's spending", () => {
    const { rl } = limiter({ ratePerSecond: 1, burst: 1 });
    rl.take("ip");
    rl.reset("ip");
    expect(rl.take("ip").allowed).toBe(true);
  });

  test("a clock that steps back neither refills nor drains a bucket", () => {
    const { rl, setNow } = limiter({ ratePerSecond: 1, burst: 2 });
    setNow(10_000);
    rl.take("k");
    setNow(5_000);
    expect(rl.take("k").allowed).toBe(true);
    expect(rl.take("k").allowed).toBe(false);
  });

  test("idle buckets are forgotten once they would be full again", () => {
    const { rl, advance } = limiter({ ratePerSecond: 1, burst: 2 });
    rl.take("a");
    rl.take("b");
    expect(rl.size).toBe(2);
    advance(2_000);
    rl.take("c");
    expect(rl.size).toBe(1);
  });

  test("memory is bounded: past maxKeys the least recently used key goes first", () => {
    const { rl } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) rl.take(`attacker-${i}`);
    expect(rl.size).toBe(100);
    // The most recent keys are still remembered (and still empty); the oldest were dropped.
    expect(rl.take("attacker-9999").allowed).toBe(false);
    expect(rl.take("attacker-0").allowed).toBe(true);
  });

  test("nonsensical settings are refused", () => {
    expect(() => new RateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow("RateLimiter needs ratePerSecond > 0 and burst >= 1");
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow("RateLimiter needs ratePerSecond > 0 and burst >= 1");
  });
});

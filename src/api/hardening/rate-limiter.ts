/** What a limiter answers: go ahead, or wait this long before the next try. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimiterOptions {
  /** Tokens added per second: the sustained rate. */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  readonly burst: number;
  /** Milliseconds since some fixed point; injected so tests control time. Default Date.now. */
  readonly now?: () => number;
  /**
   * Most keys remembered at once (default 10 000): memory stays bounded however many keys an
   * attacker invents. Buckets idle long enough to be full again are forgotten anyway.
   */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by string (an access key id, a source IP). Each key starts full with
 * `burst` tokens, spends one per `take`, and earns `ratePerSecond` back over time.
 */
export class RateLimiter {
  // A Map iterates in insertion order; re-inserting on every use keeps it least-recently-used first.
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new Error("RateLimiter needs ratePerSecond > 0 and burst >= 1");
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Spends `cost` tokens of `key`'s bucket if it holds them. */
  take(key: string, cost = 1): RateDecision {
    const now = this.now();
    const bucket = this.refilled(key, now);
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      this.evict(now);
      return { allowed: true };
    }
    this.evict(now);
    return { allowed: false, retryAfterMs: Math.ceil(((cost - bucket.tokens) / this.options.ratePerSecond) * 1000) };
  }

  /** Forgets `key` (e.g. after a successful login, its failures no longer count). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.options.burst, updatedAt: now };
    // A clock that steps back (NTP) must not drain or overfill the bucket.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (elapsed / 1000) * this.options.ratePerSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  /**
   * The Map is ordered by last use, so its front holds the idlest buckets: those that refilled
   * completely are dropped (forgetting them changes nothing), and past `maxKeys` the least
   * recently used go too. Amortised O(1) per call.
   */
  private evict(now: number): void {
    const refillMs = (this.options.burst / this.options.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size > this.maxKeys || now - bucket.updatedAt >= refillMs) this.buckets.delete(key);
      else return;
    }
  }
}

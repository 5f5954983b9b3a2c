import { FeedWaitTimeout, type EventFeed } from "../messaging/event-feed.js";

/** A read that waited for this instance to apply the log and gave up. */
export class ConsistencyTimeout extends Error {
  constructor(
    readonly atLeast: number,
    readonly reached: number,
    readonly timeoutMs: number,
  ) {
    super(`This instance did not reach position ${atLeast} within ${timeoutMs} ms (it is at ${reached}).`);
    this.name = "ConsistencyTimeout";
  }
}

/**
 * How far this instance has applied the log: the position its event feed has delivered, so its
 * caches (compiled policies, entity facts, who-can, access keys) and subscriptions reflect
 * every event up to it. Read-your-writes waits on it. The read models themselves are projected
 * inline, in the appending transaction, so they are never behind a delivered position; what an
 * instance can be behind on is its caches, and that is what this position measures — a
 * position reported by another instance means nothing here until this one has applied it.
 */
export class ProjectionWatermark {
  constructor(private readonly feed: Pick<EventFeed, "position" | "waitFor">) {}

  /** The last position this instance has applied (a lower bound: reads may already see later ones). */
  get known(): number {
    return this.feed.position;
  }

  /** Resolves with a position ≥ atLeast, or rejects with ConsistencyTimeout. */
  async waitFor(atLeast: number, timeoutMs: number): Promise<number> {
    if (this.feed.position >= atLeast) return this.feed.position;
    try {
      return await this.feed.waitFor(atLeast, timeoutMs);
    } catch (err) {
      if (err instanceof FeedWaitTimeout) throw new ConsistencyTimeout(atLeast, err.reached, timeoutMs);
      throw new ConsistencyTimeout(atLeast, this.feed.position, timeoutMs);
    }
  }
}

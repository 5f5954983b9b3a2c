import type { StoredEvent } from "../eventstore/stored-event.js";

/**
 * How a process learns of committed events: every event of the log exactly once, in position
 * order, whichever process committed it — so a change reaches this process's caches and
 * subscribers by the same path wherever it was made. Two sources implement it: the PostgreSQL
 * log tailer (postgres and embedded modes) and the Kafka consumer (kafka mode).
 */
export interface EventFeed {
  /**
   * Starts delivering every event after `after`, batch by batch in position order. The next
   * batch is not handed over before `deliver` has settled, so `position` never runs ahead of
   * what the process has applied.
   */
  start(after: number, deliver: (events: readonly StoredEvent[]) => void | Promise<void>): Promise<void>;
  /** The last position whose batch `deliver` has finished with: what this process has applied. */
  readonly position: number;
  /** Resolves once `position` ≥ `atLeast`; rejects with a FeedWaitTimeout (the position reached) after `timeoutMs`. */
  waitFor(atLeast: number, timeoutMs: number): Promise<number>;
  /** A hint that the log has just grown (this process committed): look now, not at the next tick. */
  poke(): void;
  close(): Promise<void>;
}

/** waitFor ran out: the feed had reached `reached`, not `atLeast`. */
export class FeedWaitTimeout extends Error {
  constructor(
    readonly atLeast: number,
    readonly reached: number,
    readonly timeoutMs: number,
  ) {
    super(`The event feed did not reach position ${atLeast} within ${timeoutMs} ms (it is at ${reached}).`);
    this.name = "FeedWaitTimeout";
  }
}

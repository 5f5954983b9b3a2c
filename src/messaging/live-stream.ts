/** Anything a subscription delivers: it carries the log position a client can resume after. */
export interface Positioned {
  readonly position: number;
}

/** A subscriber fell further behind than its buffer allows; it may resubscribe with `after: position`. */
export class SubscriptionOverflow extends Error {
  constructor(
    /** The last position delivered to the client: where it resumes. */
    readonly position: number,
    readonly limit: number,
  ) {
    super(`Subscription buffer overflow (more than ${limit} undelivered messages); resubscribe with after: ${position}`);
    this.name = "SubscriptionOverflow";
  }
}

export interface LiveStreamOptions<T extends Positioned> {
  /** Resume point: replay what came after it first. Absent → live messages only. */
  readonly after?: number | null;
  /** Registers the live sink; returns the function that unregisters it. */
  attach(sink: (message: T) => void): () => void;
  /**
   * Messages from the log after a position, in order. It may return the position it read up to
   * (at or past the head when it started): live messages up to there are then dropped too.
   */
  catchUp(after: number): AsyncIterator<T, number | void>;
  /** Largest number of undelivered live messages before the subscriber is dropped. */
  readonly limit: number;
  /** Told once when the buffer overflows (the transport closes the client with a reason). */
  onOverflow?(overflow: SubscriptionOverflow): void;
}

/**
 * One subscription's stream: catch-up from the log, then live messages, with no gap and no
 * duplicate at the seam. The live sink is attached *before* the log is read, so anything
 * committed after the read started is buffered; once the catch-up ends, buffered messages at or
 * below the last position delivered are dropped. Positions a subscriber sees only grow.
 *
 * Written as a plain iterator rather than an async generator: a generator parked on `await`
 * cannot be stopped until its next message arrives, and an idle subscription would then leak
 * when its client leaves.
 */
export class LiveStream<T extends Positioned> implements AsyncIterableIterator<T> {
  readonly #options: LiveStreamOptions<T>;
  #queue: T[] = [];
  #waiter: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
  #catchUp: AsyncIterator<T, number | void> | undefined;
  #detach: () => void;
  #cursor: number;
  #done = false;
  #overflow: SubscriptionOverflow | undefined;

  constructor(options: LiveStreamOptions<T>) {
    this.#options = options;
    this.#cursor = options.after ?? -1;
    const detach = options.attach((message) => this.#onLive(message));
    let detached = false;
    this.#detach = () => {
      if (!detached) detach();
      detached = true;
    };
    if (options.after != null) this.#catchUp = options.catchUp(options.after);
  }

  /** The last position delivered. */
  get position(): number {
    return this.#cursor;
  }

  #onLive(message: T): void {
    if (this.#done || this.#overflow) return;
    if (this.#waiter && !this.#catchUp && this.#queue.length === 0) {
      if (message.position <= this.#cursor) return;
      this.#cursor = message.position;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: message, done: false });
      return;
    }
    if (this.#queue.length >= this.#options.limit) {
      // A slow client never holds anyone else up: it is cut off here, not waited for.
      this.#overflow = new SubscriptionOverflow(this.#cursor, this.#options.limit);
      this.#queue = [];
      this.#detach();
      this.#options.onOverflow?.(this.#overflow);
      if (this.#waiter) {
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter.reject(this.#overflow);
      }
      return;
    }
    this.#queue.push(message);
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#done) return { value: undefined, done: true };
      if (this.#overflow) throw this.#overflow;
      if (this.#catchUp) {
        const r = await this.#catchUp.next();
        if (this.#done) return { value: undefined, done: true };
        if (!r.done) {
          if (r.value.position <= this.#cursor) continue;
          this.#cursor = r.value.position;
          return { value: r.value, done: false };
        }
        if (typeof r.value === "number") this.#cursor = Math.max(this.#cursor, r.value);
        this.#catchUp = undefined;
      }
      while (this.#queue.length > 0) {
        const message = this.#queue.shift()!;
        if (message.position <= this.#cursor) continue;
        this.#cursor = message.position;
        return { value: message, done: false };
      }
      if (this.#overflow) throw this.#overflow;
      return new Promise<IteratorResult<T>>((resolve, reject) => (this.#waiter = { resolve, reject }));
    }
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.#done) {
      this.#done = true;
      this.#detach();
      this.#queue = [];
      void this.#catchUp?.return?.();
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.resolve({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

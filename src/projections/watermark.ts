import type { RawQueryable } from "../eventstore/read.js";
import type { EventBus } from "../messaging/event-bus.js";

/** A read that waited for the projections and gave up. */
export class ConsistencyTimeout extends Error {
  constructor(
    readonly atLeast: number,
    readonly reached: number,
    readonly timeoutMs: number,
  ) {
    super(`The read models did not reach position ${atLeast} within ${timeoutMs} ms (they are at ${reached}).`);
    this.name = "ConsistencyTimeout";
  }
}

/**
 * How far every projection has folded the log: the smallest checkpoint. Read-your-writes waits
 * on it. With inline projections (the default) a command's events and its projections commit in
 * one transaction, so every published event is already projected and a wait returns at once;
 * otherwise (projections run elsewhere, another instance wrote) it polls the checkpoints, woken
 * early by the bus, until the position is reached or the time is up.
 */
export class ProjectionWatermark {
  #known = 0;
  readonly #waiters = new Set<() => void>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly db: RawQueryable,
    bus: EventBus,
    private readonly options: { readonly inline: boolean; readonly pollMs?: number } = { inline: true },
  ) {
    this.#unsubscribe = bus.subscribe((events) => {
      if (options.inline) this.#known = Math.max(this.#known, events.at(-1)!.position);
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /** The last position known to be projected (a lower bound: reads may already see later ones). */
  get known(): number {
    return this.#known;
  }

  /** Reads the checkpoints. */
  async refresh(): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ p: unknown }[]>(`SELECT coalesce(min(position), 0) AS p FROM projection_checkpoints`);
    this.#known = Math.max(this.#known, Number(rows[0]?.p ?? 0));
    return this.#known;
  }

  /** Resolves with a position ≥ atLeast, or rejects with ConsistencyTimeout. */
  async waitFor(atLeast: number, timeoutMs: number): Promise<number> {
    if (this.#known >= atLeast) return this.#known;
    const deadline = Date.now() + timeoutMs;
    const pollMs = this.options.pollMs ?? 20;
    for (;;) {
      if ((await this.refresh()) >= atLeast) return this.#known;
      const left = deadline - Date.now();
      if (left <= 0) throw new ConsistencyTimeout(atLeast, this.#known, timeoutMs);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(pollMs, left));
        this.#waiters.add(wake);
      });
    }
  }

  close(): void {
    this.#unsubscribe();
  }
}

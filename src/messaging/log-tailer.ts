import type { Logger } from "pino";
import type { Database, Listener } from "../db/database.js";
import { logChannel } from "../eventstore/log-notify.js";
import { readAll } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { FeedWaitTimeout, type EventFeed } from "./event-feed.js";

export interface LogTailerOptions {
  /** Longest wait between two reads when no notification came (ms): covers lost NOTIFYs. */
  readonly pollMs?: number;
  /** Events read per batch. */
  readonly batchSize?: number;
  readonly logger?: Logger;
}

/**
 * The feed of postgres and embedded modes: follows the log with `readAll`, which is gap-safe
 * (every append holds the write lock until commit, so once a position is visible every smaller
 * committed one is too — eventstore/write-lock.ts). Woken at once by the NOTIFY each appending
 * transaction sends (eventstore/log-notify.ts), on a session of its own that is re-opened with
 * backoff when it drops; a poll every `pollMs` covers notifications lost meanwhile. In embedded
 * mode the notification comes from PGlite itself, and this process's `poke()` after each commit
 * wakes it without even that.
 */
export class LogTailer implements EventFeed {
  readonly #db: Pick<Database, "prisma" | "listen">;
  readonly #pollMs: number;
  readonly #batchSize: number;
  readonly #logger: Logger | undefined;
  #position = 0;
  #closed = false;
  #started = false;
  /** Set when something may have been appended since the last read began. */
  #dirty = true;
  #wake: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();
  #listener: Listener | undefined;
  readonly #waiters = new Set<{ atLeast: number; resolve(p: number): void }>();

  constructor(db: Pick<Database, "prisma" | "listen">, options: LogTailerOptions = {}) {
    this.#db = db;
    this.#pollMs = options.pollMs ?? 500;
    this.#batchSize = options.batchSize ?? 1000;
    this.#logger = options.logger;
  }

  get position(): number {
    return this.#position;
  }

  async start(after: number, deliver: (events: readonly StoredEvent[]) => void | Promise<void>): Promise<void> {
    if (this.#started) throw new Error("LogTailer already started");
    this.#started = true;
    this.#position = after;
    const channel = await logChannel(this.#db.prisma);
    void this.#listen(channel, 0);
    this.#loop = this.#run(deliver);
  }

  poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  waitFor(atLeast: number, timeoutMs: number): Promise<number> {
    if (this.#position >= atLeast) return Promise.resolve(this.#position);
    this.poke();
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        atLeast,
        resolve: (p: number) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new FeedWaitTimeout(atLeast, this.#position, timeoutMs));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    // Not waiting for a LISTEN being (re)opened: it may be in a backoff of seconds while the
    // database is down; it closes itself when it sees #closed.
    await this.#listener?.close();
  }

  async #run(deliver: (events: readonly StoredEvent[]) => void | Promise<void>): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      if (!this.#dirty) await this.#sleep(this.#pollMs);
      if (this.#closed) return;
      this.#dirty = false;
      let events: StoredEvent[];
      try {
        events = await readAll(this.#db.prisma, this.#position, this.#batchSize);
        failures = 0;
      } catch (err) {
        // The database is unreachable for now: keep the position, retry with backoff.
        this.#logger?.warn({ err, position: this.#position }, "log tailer: reading the log failed; retrying");
        this.#dirty = true;
        await this.#sleep(backoff(failures++));
        continue;
      }
      if (events.length === 0) continue;
      try {
        await deliver(events);
      } catch (err) {
        // The events are committed facts: one listener's failure must not stall the process.
        this.#logger?.error({ err, position: events.at(-1)!.position }, "log tailer: delivering events failed");
      }
      this.#position = events.at(-1)!.position;
      // A full batch means there is more to read now.
      if (events.length === this.#batchSize) this.#dirty = true;
      for (const waiter of [...this.#waiters]) {
        if (waiter.atLeast <= this.#position) {
          this.#waiters.delete(waiter);
          waiter.resolve(this.#position);
        }
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** Holds the LISTEN; re-opens it with backoff when it drops, reading once after each (re)connect. */
  async #listen(channel: string, attempt: number): Promise<void> {
    if (this.#closed) return;
    try {
      this.#listener = await this.#db.listen(
        channel,
        () => this.poke(),
        (err) => {
          if (this.#closed) return;
          this.#logger?.warn({ err }, "log tailer: LISTEN session lost; polling until it is back");
          this.#listener = undefined;
          void pause(backoff(0)).then(() => this.#listen(channel, 1));
        },
      );
      // Notifications sent while no session listened are lost: look once now.
      this.poke();
      if (this.#closed) await this.#listener.close();
    } catch (err) {
      this.#logger?.warn({ err, attempt }, "log tailer: LISTEN failed; retrying");
      await pause(backoff(attempt));
      return this.#listen(channel, attempt + 1);
    }
  }
}

/** A retry's wait; it does not keep a closing process alive. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function backoff(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 5_000);
}

import { randomUUID } from "node:crypto";
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { Logger } from "pino";
import { headPosition, readAll, type RawQueryable } from "../../eventstore/read.js";
import type { StoredEvent } from "../../eventstore/stored-event.js";
import type { EventFeed } from "../event-feed.js";
import { decodeEventMessage } from "./event-message.js";

export interface KafkaFeedOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** The log, to fill a gap the topic leaves (and to catch up to the head at start). */
  readonly db: RawQueryable;
  readonly logger: Logger;
  /**
   * The consumer group. Default: one of its own per feed, so every instance sees every event
   * (and the group is deleted on close). Projection workers share one (`iamgraph project`).
   */
  readonly groupId?: string;
  /** How long a gap may wait for the missing position to arrive from another partition (ms). */
  readonly gapGraceMs?: number;
  /** After a poke, how long the topic has to bring this process's own commit before the log is read (ms). */
  readonly pokeGraceMs?: number;
  /** How often the log's head is compared with what was applied, should the relay be down (ms; 0 = never). */
  readonly safetyCheckMs?: number;
}

/**
 * The event feed of kafka mode: the events topic, consumed by this process, delivered in
 * position order. The topic is partitioned by stream, so positions arrive interleaved across
 * partitions, at least once (a relay restart re-sends its unacknowledged tail): events at or
 * below the applied position are dropped; one that arrives ahead waits `gapGraceMs` for the
 * positions before it, then the gap is read from PostgreSQL — the log is the truth, and a
 * position may also simply not exist (a rolled-back insert consumed it). A message iamgraph did
 * not write or cannot read is logged once, with its partition and offset, and skipped.
 */
export class KafkaFeed implements EventFeed {
  #position = 0;
  /** The highest position the topic has shown to exist. */
  #seen = 0;
  readonly #pending = new Map<number, StoredEvent>();
  #deliver: ((events: readonly StoredEvent[]) => void | Promise<void>) | undefined;
  #consumer: Consumer | undefined;
  #pump: Promise<void> = Promise.resolve();
  #gapTimer: NodeJS.Timeout | undefined;
  #poked = false;
  #safetyTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #waiters = new Set<{ atLeast: number; resolve: () => void }>();
  readonly #skipped = new Set<string>();
  readonly #groupId: string;
  readonly #log: Logger;
  /** Messages skipped as unreadable, and gaps filled from the log: for tests and metrics. */
  readonly stats = { skipped: 0, duplicates: 0, gapReads: 0 };

  constructor(private readonly options: KafkaFeedOptions) {
    this.#groupId = options.groupId ?? `iamgraph.instance.${randomUUID()}`;
    this.#log = options.logger.child({ component: "kafka-feed", topic: options.topic, groupId: this.#groupId });
  }

  get position(): number {
    return this.#position;
  }

  async start(after: number, deliver: (events: readonly StoredEvent[]) => void | Promise<void>): Promise<void> {
    this.#position = after;
    this.#seen = after;
    this.#deliver = deliver;
    const admin = this.options.kafka.admin();
    await admin.connect();
    // The topic's ends before the log is read: whatever is published after this point is
    // consumed from the topic, whatever was published before is committed, so in the log read next.
    const ends = await admin.fetchTopicOffsets(this.options.topic).finally(() => admin.disconnect());
    await this.#readLog();
    const consumer = this.options.kafka.consumer({ groupId: this.#groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: false });
    await consumer.run({ eachBatchAutoResolve: true, eachBatch: (payload) => this.#onBatch(payload) });
    for (const end of ends) await seekWhenJoined(consumer, { topic: this.options.topic, partition: end.partition, offset: end.offset });
    if (this.options.safetyCheckMs !== 0) {
      const every = this.options.safetyCheckMs ?? 1_000;
      this.#safetyTimer = setInterval(() => void this.#checkHead(every), every);
      this.#safetyTimer.unref();
    }
  }

  waitFor(atLeast: number, timeoutMs: number): Promise<number> {
    if (this.#position >= atLeast) return Promise.resolve(this.#position);
    return new Promise((resolve, reject) => {
      const waiter = {
        atLeast,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.#position);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(Object.assign(new Error(`position ${atLeast} not reached within ${timeoutMs} ms`), { reached: this.#position }));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** This process committed: its events normally come back through the topic; if the relay is slow or down, read them. */
  poke(): void {
    if (this.#poked || this.#closed) return;
    this.#poked = true;
    void this.#checkHead(this.options.pokeGraceMs ?? 250).finally(() => (this.#poked = false));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#gapTimer);
    clearInterval(this.#safetyTimer);
    await this.#consumer?.disconnect().catch(() => undefined);
    await this.#pump.catch(() => undefined);
    if (!this.options.groupId) {
      // A per-instance group is of no use once the instance is gone.
      const admin = this.options.kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([this.#groupId]))
        .catch(() => undefined)
        .finally(() => admin.disconnect());
    }
  }

  async #onBatch({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const decoded = decodeEventMessage(message);
      if (!decoded.ok) {
        const where = `${batch.partition}:${message.offset}`;
        this.stats.skipped++;
        if (!this.#skipped.has(where)) {
          this.#skipped.add(where);
          this.#log.warn({ partition: batch.partition, offset: message.offset, reason: decoded.reason }, "skipped a message on the events topic that iamgraph did not write or cannot read");
        }
        continue;
      }
      const { event } = decoded;
      if (event.position <= this.#position || this.#pending.has(event.position)) {
        this.stats.duplicates++;
        continue;
      }
      this.#pending.set(event.position, event);
      this.#seen = Math.max(this.#seen, event.position);
    }
    // Back-pressure: the consumer fetches the next batch once this one is delivered.
    await this.#schedule(() => this.#deliverReady());
  }

  /** One delivery at a time, in order. */
  #schedule(task: () => Promise<void>): Promise<void> {
    const next = this.#pump.then(task).catch((err: unknown) => this.#log.error({ err }, "delivering events failed"));
    this.#pump = next;
    return next;
  }

  async #deliverReady(): Promise<void> {
    const run: StoredEvent[] = [];
    for (let p = this.#position + 1; this.#pending.has(p); p++) {
      run.push(this.#pending.get(p)!);
      this.#pending.delete(p);
    }
    if (run.length > 0) await this.#hand(run);
    if (this.#pending.size > 0 && !this.#gapTimer && !this.#closed) {
      this.#gapTimer = setTimeout(() => {
        this.#gapTimer = undefined;
        void this.#schedule(() => this.#readLog());
      }, this.options.gapGraceMs ?? 50);
    }
  }

  /** Reads the log from the applied position up to at least what the topic has shown. */
  async #readLog(): Promise<void> {
    const target = this.#seen;
    this.stats.gapReads++;
    for (;;) {
      const events = await readAll(this.options.db, this.#position, 1000);
      if (events.length > 0) await this.#hand(events);
      if (events.length < 1000) break;
    }
    if (this.#position < target) {
      // The topic named a position the log does not have: not an event iamgraph committed.
      this.#log.warn({ position: target, applied: this.#position }, "the events topic carried positions the log does not have; dropped");
      this.#seen = this.#position;
    }
    for (const p of this.#pending.keys()) if (p <= this.#position) this.#pending.delete(p);
    await this.#deliverReady();
  }

  /**
   * The backstop for a relay that is slow or down: notes the log's head now, and if that much is
   * still not applied `graceMs` later, reads it from the log. A healthy relay never triggers it.
   */
  async #checkHead(graceMs: number): Promise<void> {
    if (this.#closed || !this.#deliver) return;
    try {
      const head = await headPosition(this.options.db);
      if (head <= this.#position) return;
      await new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      if (this.#closed || head <= this.#position) return;
      this.#seen = Math.max(this.#seen, head);
      this.#log.debug({ head, applied: this.#position }, "the topic is behind the log; reading the log");
      await this.#schedule(() => this.#readLog());
    } catch (err) {
      this.#log.warn({ err }, "reading the log's head failed");
    }
  }

  async #hand(events: readonly StoredEvent[]): Promise<void> {
    const fresh = events.filter((e) => e.position > this.#position);
    if (fresh.length === 0) return;
    await this.#deliver!(fresh);
    this.#position = fresh.at(-1)!.position;
    for (const w of [...this.#waiters]) if (this.#position >= w.atLeast) w.resolve();
  }
}

/**
 * kafkajs's seek needs the consumer group, which `run` creates but drops again while it restarts
 * after a crash (a coordinator not yet available on a loaded broker): seek once it is back.
 */
async function seekWhenJoined(consumer: Consumer, target: { topic: string; partition: number; offset: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      consumer.seek(target);
      return;
    } catch (err) {
      if (attempt >= 150 || !/not initialized/i.test(String((err as Error).message))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

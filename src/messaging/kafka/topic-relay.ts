import type { Kafka, Message, Producer } from "kafkajs";
import pg from "pg";
import type { Logger } from "pino";
import { quoteIdent } from "../../db/database.js";
import type { RawQueryable } from "../../eventstore/read.js";
import { idempotentProducer } from "./client.js";

/**
 * What a relay publishes: rows of a PostgreSQL table read in position order after a checkpoint.
 * `read` must return whole positions (never half of the messages at one position), in order.
 */
export interface RelaySource {
  /** The checkpoint's name in worker_checkpoints, and the advisory lock's. */
  readonly name: string;
  readonly topic: string;
  read(db: RawQueryable, after: number, limit: number): Promise<readonly { readonly position: number; readonly message: Message }[]>;
  /** A NOTIFY channel that announces new rows: the idle relay wakes on it instead of waiting for its next poll. */
  wakeChannel?(db: RawQueryable): Promise<string>;
}

export interface TopicRelayOptions {
  readonly databaseUrl: string;
  /** PostgreSQL schema (tests); default the connection's search_path. */
  readonly schema?: string;
  readonly kafka: Kafka;
  readonly source: RelaySource;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** How often an idle active relay looks for new rows (ms; default 25, or 500 when the source has a wake channel). */
  readonly pollMs?: number;
  /** How often a standby tries to take the lock, and the pause after a failure (ms). */
  readonly retryMs?: number;
}

export type RelayState = "starting" | "standby" | "active" | "stopped";

/** Advisory lock class of the relays; the second key is hashtext(schema:name). */
export const relayLockKey = 0x1a_47_72_62;

/**
 * Publishes a table to a topic, in position order, checkpointed in PostgreSQL only after the
 * broker acknowledged (acks = all), so a crash re-publishes at most the unacknowledged tail —
 * which consumers drop by position — and never skips. Exactly one relay per source is active:
 * it holds a session advisory lock on its own connection; the others wait as standbys and one of
 * them takes over when the holder's connection ends (a crash, kill -9, a lost network).
 * The checkpoint is written on the lock's connection, so a relay that lost the lock (its
 * connection broke) cannot move the checkpoint afterwards.
 */
export class TopicRelay {
  #state: RelayState = "starting";
  #closing = false;
  #client: pg.Client | undefined;
  #producer: Producer | undefined;
  #wake: (() => void) | undefined;
  #published = 0;
  #position = 0;
  readonly #done: Promise<void>;
  readonly #log: Logger;

  constructor(private readonly options: TopicRelayOptions) {
    this.#log = options.logger.child({ component: "relay", source: options.source.name, topic: options.source.topic });
    this.#done = this.#run();
  }

  get state(): RelayState {
    return this.#state;
  }
  /** Messages acknowledged by the broker since this relay started. */
  get published(): number {
    return this.#published;
  }
  /** The checkpoint: everything up to here is on the topic. */
  get position(): number {
    return this.#position;
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    await this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      try {
        if (await this.#acquire()) await this.#publishLoop();
        else await this.#sleep(this.options.retryMs ?? 500);
      } catch (err) {
        if (this.#closing) break;
        this.#log.warn({ err }, "relay interrupted; retrying");
        await this.#release();
        await this.#sleep(this.options.retryMs ?? 500);
      }
    }
    await this.#release();
    this.#state = "stopped";
  }

  /** Connects and tries the lock once: true when this relay is now the active one. */
  async #acquire(): Promise<boolean> {
    if (!this.#client) {
      // `?schema=` in the URL picks the schema, as for every other command (openDatabase); pg ignores it.
      const url = new URL(this.options.databaseUrl);
      const schemaName = this.options.schema ?? url.searchParams.get("schema") ?? undefined;
      url.searchParams.delete("schema");
      const schema = schemaName ? { options: `-c search_path=${quoteIdent(schemaName)}` } : {};
      const client = new pg.Client({ connectionString: url.toString(), ...schema });
      client.on("error", (err) => this.#log.warn({ err }, "relay database connection failed"));
      await client.connect();
      this.#client = client;
    }
    const rows = await this.#client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext(current_schema() || ':' || $2)) AS ok`, [
      relayLockKey,
      this.options.source.name,
    ]);
    if (!rows.rows[0]?.ok) {
      if (this.#state !== "standby") this.#log.info("another relay is active; waiting as a standby");
      this.#state = "standby";
      return false;
    }
    const cp = await this.#client.query<{ position: string }>(`SELECT position FROM worker_checkpoints WHERE name = $1`, [this.options.source.name]);
    this.#position = Number(cp.rows[0]?.position ?? 0);
    this.#state = "active";
    this.#log.info({ position: this.#position }, "relay active");
    return true;
  }

  async #publishLoop(): Promise<void> {
    const client = this.#client!;
    const db: RawQueryable = { $queryRawUnsafe: async <T,>(q: string, ...v: unknown[]) => (await client.query(q, v)).rows as T };
    // Woken by the appending transaction's NOTIFY (it arrives once the rows are visible); the
    // poll stays as the fallback for a lost notification.
    let pollMs = this.options.pollMs ?? 25;
    let woken = false;
    let idle = false;
    if (this.options.source.wakeChannel) {
      const channel = await this.options.source.wakeChannel(db);
      client.on("notification", () => {
        woken = true;
        // Only the idle poll is cut short, never a retry's back-off.
        if (idle) this.#wake?.();
      });
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      pollMs = this.options.pollMs ?? 500;
    }
    while (!this.#closing) {
      woken = false;
      const batch = await this.options.source.read(db, this.#position, this.options.batchSize ?? 1000);
      if (batch.length === 0) {
        // A notification that came while reading is not lost: read again at once.
        if (!woken) {
          idle = true;
          await this.#sleep(pollMs).finally(() => (idle = false));
        }
        continue;
      }
      await this.#send(batch.map((b) => b.message));
      const last = batch.at(-1)!.position;
      await client.query(
        `INSERT INTO worker_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [this.options.source.name, last],
      );
      this.#position = last;
      this.#published += batch.length;
    }
  }

  /** Sends until the broker acknowledged; a broker that is down is waited for, not skipped. */
  async #send(messages: Message[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.#producer) {
          const producer = idempotentProducer(this.options.kafka);
          await producer.connect();
          this.#producer = producer;
        }
        await this.#producer.send({ topic: this.options.source.topic, acks: -1, messages });
        if (attempt > 0) this.#log.info({ attempts: attempt + 1 }, "broker reachable again; relay catching up");
        return;
      } catch (err) {
        if (this.#closing) throw err;
        if (attempt === 0) this.#log.warn({ err }, "publishing failed; retrying until the broker acknowledges");
        // A fresh producer after a failure: the old one's sequence state may be unknown to the
        // broker now. A batch that did land before the failure is then sent twice; consumers
        // drop the copy by position.
        await this.#producer?.disconnect().catch(() => undefined);
        this.#producer = undefined;
        await this.#sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async #release(): Promise<void> {
    await this.#producer?.disconnect().catch(() => undefined);
    this.#producer = undefined;
    // Ending the session releases the advisory lock.
    await this.#client?.end().catch(() => undefined);
    this.#client = undefined;
    if (this.#state === "active") this.#log.info("relay no longer active");
    if (this.#state !== "stopped") this.#state = "starting";
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

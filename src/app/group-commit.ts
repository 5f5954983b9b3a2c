import type { Database } from "../db/database.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { appendBatch, type AppendJob, type Queryable } from "../eventstore/append.js";
import { notifyLogGrew } from "../eventstore/log-notify.js";
import type { EventMetadata, StoredEvent, StreamAppend } from "../eventstore/stored-event.js";
import { takeWriteLockSql } from "../eventstore/write-lock.js";
import type { Tx } from "../db/transaction.js";

type Work<T> = (tx: Tx) => Promise<T>;

interface Job {
  readonly work: Work<unknown>;
  /** Longest the job's transaction may run (default 60 s): a large import is one job. */
  readonly timeoutMs?: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** A bare append (no reads, no projections): coalesced with its neighbours into one statement. */
interface AppendOnly {
  readonly append: AppendJob;
  readonly resolve: (events: StoredEvent[]) => void;
  readonly reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown inside a batch to roll it back so its jobs can run one by one. */
class RunAlone extends Error {}

/**
 * Group commit for the single writer. Writes are serialised under one lock (write-lock.ts) —
 * that is what keeps position order equal to commit order and the IAM invariants whole — but
 * holding it through each commit's disk flush would let only one commit flush at a time. So
 * the jobs waiting for the lock run one after another inside ONE transaction and share its
 * commit. Results are handed out only after that commit succeeds.
 *
 * A job refused with a DomainError is dropped from the batch while the others go on: jobs throw
 * DomainErrors only before their first write, or after undoing it (authorization, deciders and the
 * append's version guard refuse before writing; a group of commands runs in a savepoint it rolls
 * back — see command-pipeline.ts), and a quick probe confirms no statement failed.
 * Any other failure rolls the whole batch back and runs each of its jobs alone, so no job ever
 * commits half its work or someone else's.
 *
 * Bare appends (`append`) need no transaction of their own making: the queued ones in a row
 * become ONE `append_events` call (eventstore/append.ts) — one round trip and one commit for the
 * lot, the lock taken inside it and held to that commit; a refused one writes nothing and the
 * others go on; any other failure writes nothing and they are retried one by one.
 */
export class GroupCommitWriter {
  readonly #queue: (Job | AppendOnly)[] = [];
  #draining = false;
  /** How many transactions ran and how many jobs they carried (jobs / batches = mean batch size). */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(
    private readonly db: Pick<Database, "transaction" | "sql">,
    private readonly maxBatch = 100,
  ) {}

  readonly #raw: Queryable = { $queryRawUnsafe: (sql: string, ...params: unknown[]) => this.db.sql.query(sql, params) } as Queryable;

  submit<T>(work: Work<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject, ...options });
      if (!this.#draining) void this.#drain();
    });
  }

  /** Appends events with nothing else in the transaction; resolves after they are committed. */
  append(appends: readonly StreamAppend[], metadata: EventMetadata, occurredAt: Date): Promise<StoredEvent[]> {
    return new Promise<StoredEvent[]>((resolve, reject) => {
      this.#queue.push({ append: { appends, metadata, occurredAt }, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        // The longest run of one kind at the head of the queue, in order.
        const bare = "append" in this.#queue[0]!;
        let n = 1;
        while (n < this.#queue.length && n < this.maxBatch && "append" in this.#queue[n]! === bare) n++;
        if (bare) {
          const batch = this.#queue.splice(0, n) as AppendOnly[];
          if (!(await this.#appendTogether(batch))) for (const job of batch) await this.#appendTogether([job]);
          continue;
        }
        const batch = this.#queue.splice(0, n) as Job[];
        if (batch.length === 1 || !(await this.#runTogether(batch))) {
          for (const job of batch) await this.#runAlone(job);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** One transaction, one job: its error (a refusal included) rolls everything back. */
  async #runAlone(job: Job): Promise<void> {
    this.stats.batches++;
    this.stats.jobs++;
    let value: unknown;
    try {
      await this.#transaction(async (tx) => {
        value = await job.work(tx);
      }, job.timeoutMs);
    } catch (error) {
      job.reject(error);
      return;
    }
    job.resolve(value);
  }

  /** All jobs in one transaction; false when it had to be rolled back (the caller runs them alone). */
  async #runTogether(batch: Job[]): Promise<boolean> {
    const outcomes: Outcome[] = [];
    try {
      await this.#transaction(async (tx) => {
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: await job.work(tx) });
          } catch (error) {
            if (!(error instanceof DomainError) || !(await usable(tx))) throw new RunAlone();
            outcomes.push({ ok: false, error });
          }
        }
      }, Math.max(...batch.map((job) => job.timeoutMs ?? 0)));
    } catch {
      // Rolled back (a job failed unexpectedly, or the commit did): nothing of it was written.
      return false;
    }
    // The notice rode with COMMIT (#transaction).
    this.stats.batches++;
    this.stats.jobs += batch.length;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    return true;
  }

  /**
   * One statement for the run, committed on its own (autocommit) and sent on the raw driver:
   * Prisma would add its own per-statement work while the lock is held. False when it failed as
   * a whole (nothing written); a lone job is rejected. It sends the commit notice that
   * #transaction sends inside its body, after the commit.
   */
  async #appendTogether(batch: AppendOnly[]): Promise<boolean> {
    let outcomes;
    try {
      outcomes = await appendBatch(this.#raw, batch.map((b) => b.append));
    } catch (error) {
      if (batch.length > 1) return false;
      batch[0]!.reject(error);
      return true;
    }
    // The call committed on its own: the notice follows it (wakes every instance's log tailer;
    // a lost one is covered by the tailers' polling).
    if (outcomes.some((o) => o.ok)) await this.db.sql.query(notifyLogGrew).catch(() => undefined);
    this.stats.batches++;
    this.stats.jobs += batch.length;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.events);
      else job.reject(outcome.error);
    });
    return true;
  }

  /**
   * The lock rides with BEGIN and the notice (delivered at commit: wakes every instance's log
   * tailer) with COMMIT — on PostgreSQL one round trip each (db/pg-transaction.ts), so a command
   * pays two round trips beside its own statements.
   */
  #transaction(body: (tx: Tx) => Promise<void>, timeoutMs = 0): Promise<void> {
    return this.db.transaction(body, { first: [takeWriteLockSql], last: [notifyLogGrew], timeoutMs: Math.max(60_000, timeoutMs) });
  }
}

/** Whether the transaction can still run statements (a failed statement aborts it). */
async function usable(tx: Tx): Promise<boolean> {
  try {
    await tx.$queryRawUnsafe("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

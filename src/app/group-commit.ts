import type { Database } from "../db/database.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { notifyLogGrew } from "../eventstore/log-notify.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import type { Tx } from "../projections/projection.js";

type Work<T> = (tx: Tx) => Promise<T>;

interface Job {
  readonly work: Work<unknown>;
  readonly resolve: (value: unknown) => void;
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
 */
export class GroupCommitWriter {
  readonly #queue: Job[] = [];
  #draining = false;
  /** How many transactions ran and how many jobs they carried (jobs / batches = mean batch size). */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(
    private readonly db: Pick<Database, "prisma">,
    private readonly maxBatch = 100,
  ) {}

  submit<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.maxBatch);
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
      });
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
      });
    } catch {
      // Rolled back (a job failed unexpectedly, or the commit did): nothing of it was written.
      return false;
    }
    this.stats.batches++;
    this.stats.jobs += batch.length;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    return true;
  }

  #transaction(body: (tx: Tx) => Promise<void>): Promise<void> {
    return this.db.prisma.$transaction(
      async (tx) => {
        await takeWriteLock(tx);
        await body(tx);
        await tx.$executeRawUnsafe(notifyLogGrew); // delivered at commit: wakes every instance's log tailer
      },
      // Batches queue behind other instances' batches on the lock: waiting is expected.
      { maxWait: 60_000, timeout: 60_000 },
    );
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

import type { Database } from "../db/database.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import type { Tx } from "../projections/projection.js";

type Work<T> = (tx: Tx) => Promise<T>;

interface Job {
  readonly work: Work<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit for the single writer. Writes are serialised under one lock (write-lock.ts) —
 * that is what keeps position order equal to commit order and the IAM invariants whole — but
 * holding it through each commit's fsync would let only one commit flush at a time. So the
 * commands waiting for the lock run one after another inside ONE transaction, each in its own
 * savepoint (a refused or failing command rolls back alone), and share one commit. A batch of
 * one runs without savepoints. Results are handed out only after the commit succeeds.
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
        await this.#run(batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #run(batch: Job[]): Promise<void> {
    this.stats.batches++;
    this.stats.jobs += batch.length;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.db.prisma.$transaction(
        async (tx) => {
          await takeWriteLock(tx);
          if (batch.length === 1) {
            outcomes.push({ ok: true, value: await batch[0]!.work(tx) });
            return;
          }
          for (const job of batch) {
            await tx.$executeRawUnsafe("SAVEPOINT iamgraph_command");
            try {
              const value = await job.work(tx);
              await tx.$executeRawUnsafe("RELEASE SAVEPOINT iamgraph_command");
              outcomes.push({ ok: true, value });
            } catch (error) {
              await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT iamgraph_command");
              outcomes.push({ ok: false, error });
            }
          }
        },
        // Batches queue behind other instances' batches on the lock: waiting is expected.
        { maxWait: 60_000, timeout: 60_000 },
      );
    } catch (error) {
      // The transaction itself failed (a lone command's refusal, a lost connection, a failed
      // commit): nothing of this batch was written.
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

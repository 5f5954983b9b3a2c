import type { Prisma } from "../generated/prisma/client.js";
import type { StoredEvent } from "../eventstore/stored-event.js";

export type Tx = Prisma.TransactionClient;

/**
 * A read model folded from the log. `apply` must be idempotent: the runner skips events at or
 * below the checkpoint, and each handler writes with upserts / deleteMany so a replayed event
 * leaves the same rows.
 */
export interface Projection {
  readonly name: string;
  /** Event types this projection reads; others are skipped without a call. */
  readonly handles: ReadonlySet<string>;
  apply(tx: Tx, event: StoredEvent): Promise<void>;
}

import type { Prisma } from "../generated/prisma/client.js";

type Tx = Pick<Prisma.TransactionClient, "$executeRawUnsafe">;

/**
 * The one lock every append takes, held until its transaction ends.
 *
 * Why: a sequence value is taken at insert but becomes visible at commit, so with concurrent
 * writers position 7 can become visible before position 6 and a reader polling
 * `position > last` would skip 6 for ever. Holding one transaction-scoped advisory lock from
 * before the insert until commit makes commit order equal position order, so `position > last`
 * never skips a committed event, and "the state at position P" is well defined — which
 * point-in-time queries and read-your-writes tokens rely on. IAM writes are rare compared with
 * reads, so a single writer costs little (bench/RESULTS.md measures it). PostgreSQL releases
 * the lock only after the commit is visible to other sessions. The command pipeline takes the
 * same lock before it loads state, so its invariants (unique names, quotas) hold across all
 * API instances sharing one database. The lock is keyed by the schema too (advisory locks are
 * database-wide): two iamgraph stores in different schemas of one database never wait on each
 * other. In pg_locks it shows as classid = writeLockKey, objid = hashtext(schema), objsubid = 2.
 * Many commands share one hold of the lock and one commit (app/group-commit.ts).
 */
export const writeLockKey = 0x1a_47_72_61; // "iamgraph" write lock

/** The statement that takes it (no parameters: the writer sends it in BEGIN's round trip, app/group-commit.ts). */
export const takeWriteLockSql = `SELECT pg_advisory_xact_lock(${writeLockKey}, hashtext(current_schema()))`;

export async function takeWriteLock(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(takeWriteLockSql);
}

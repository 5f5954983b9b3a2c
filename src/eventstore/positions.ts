import type { RawQueryable } from "./read.js";

/**
 * Hands back the positions taken by inserts that were then rolled back to a savepoint (a
 * rehearsed command, a refused command of a group): the next append gets `head + 1` again, so a
 * question or a refusal leaves no gap in the log, and the position a preview reports is the one
 * the real write would get.
 *
 * Only under the write lock, with `head` read under it in the same transaction: no one else can
 * have taken a position in between (every insert takes the lock first), so nothing above `head`
 * exists or can appear before the lock is released. `setval` is not transactional — it holds even
 * if the transaction later rolls back, which leaves at worst a gap, as any rolled-back insert does.
 */
export async function rewindPositions(tx: RawQueryable, head: number): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT setval(pg_get_serial_sequence('events', 'position'), $1::bigint, $2::boolean)::text AS v`, Math.max(head, 1), head > 0);
}

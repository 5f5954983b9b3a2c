import { writeLockKey } from "../../src/eventstore/write-lock.js";

// What the PostgreSQL race tests use to order real transactions: how many sessions are queued
// on the store's write lock (pg_locks), promises resolved by hand, and a bounded wait.

/** Sessions of this database waiting for the write lock (the lock's second key is 2). */
export async function writeLockWaiters(sql: { query<T>(text: string, params?: unknown[]): Promise<T[]> }): Promise<number> {
  const rows = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [writeLockKey],
  );
  return Number(rows[0]!.n);
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

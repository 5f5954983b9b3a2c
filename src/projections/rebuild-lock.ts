import type { SqlRunner } from "../db/sql-runner.js";

/**
 * One rebuild per projection at a time. A session advisory lock per (schema, projection): it
 * lives as long as the connection, so a rebuild killed with -9 frees it when PostgreSQL notices
 * the dead connection, and a second rebuild fails at once instead of queueing. In pg_locks it
 * shows as classid = rebuildLockKey, objid = hashtext(schema || '/' || projection), objsubid = 2.
 *
 * PGlite is a single session in which advisory locks are re-entrant, so two rebuilds started by
 * one process are also refused in memory.
 */
export const rebuildLockKey = 0x1a_47_72_62; // "iamgraph" rebuild lock

export class RebuildInProgress extends Error {
  constructor(readonly projections: readonly string[]) {
    super(`A rebuild of ${projections.join(", ")} is already running (advisory lock held); wait for it to finish or stop it first.`);
    this.name = "RebuildInProgress";
  }
}

const runningHere = new WeakMap<object, Set<string>>();

/**
 * Runs `fn` on one connection holding the rebuild locks of every named projection, or throws
 * RebuildInProgress naming those another rebuild holds. `owner` identifies the database (one
 * process may open several).
 */
export async function withRebuildLocks<T>(owner: object, sql: SqlRunner, names: readonly string[], fn: (conn: SqlRunner) => Promise<T>): Promise<T> {
  const here = runningHere.get(owner) ?? new Set<string>();
  runningHere.set(owner, here);
  const busyHere = names.filter((n) => here.has(n));
  if (busyHere.length > 0) throw new RebuildInProgress(busyHere);
  for (const n of names) here.add(n);
  try {
    return await sql.session(async (conn) => {
      const got: string[] = [];
      try {
        for (const name of names) {
          const [row] = await conn.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${rebuildLockKey}, hashtext(current_schema() || '/' || $1)) AS ok`, [name]);
          if (row?.ok) got.push(name);
        }
        const busy = names.filter((n) => !got.includes(n));
        if (busy.length > 0) throw new RebuildInProgress(busy);
        return await fn(conn);
      } finally {
        for (const name of got) {
          await conn.query(`SELECT pg_advisory_unlock(${rebuildLockKey}, hashtext(current_schema() || '/' || $1))`, [name]).catch(() => undefined);
        }
      }
    });
  } finally {
    for (const n of names) here.delete(n);
  }
}

/** The projections whose rebuild lock some session holds now (for `projections status`). */
export async function lockedProjections(sql: SqlRunner, names: readonly string[]): Promise<Set<string>> {
  const rows = await sql.query<{ name: string }>(
    `SELECT n.name FROM unnest($1::text[]) AS n(name)
      WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                       AND l.classid = ${rebuildLockKey}::oid AND l.objid = hashtext(current_schema() || '/' || n.name)::oid)`,
    [names],
  );
  return new Set(rows.map((r) => r.name));
}

import type { Database } from "../db/database.js";
import { quoteIdent as q } from "../db/database.js";
import type { SqlRunner } from "../db/sql-runner.js";
import { headPosition, readAll, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import { withRebuildLocks } from "./rebuild-lock.js";
import type { Projection } from "./projection.js";
import { applyInMemory, emptyModel, type ReadModel, type Row } from "./rebuild-model.js";
import {
  createStaging,
  dropSchema,
  finishStaging,
  flushDirty,
  insertRows,
  listStaging,
  oldSchema,
  recordProgress,
  stagingSchema,
  switchTables,
  type Exec,
  type Query,
} from "./rebuild-staging.js";
import { projections } from "./inline-projector.js";

export { projectionStatus, type ProjectionStatus } from "./rebuild-status.js";

/**
 * Blue/green rebuild of read models. The whole log is read in pages and folded in memory
 * (the projections' own definitions, run by rebuild-model.ts), the rows are bulk-loaded into fresh tables in a staging schema, keys and
 * indexes are built, the events appended meanwhile are folded and written, and then, in one short
 * transaction under the write lock, the last events are caught up and the staged tables are moved
 * into the live schema in place of the old ones (rebuild-staging.ts). The API keeps reading and
 * writing the live tables the whole time; writers wait only for that last transaction.
 *
 * One rebuild per projection at a time (rebuild-lock.ts). A run that dies (kill -9, crash)
 * leaves only its staging schema behind; the next run of the same projections finds it — its
 * lock is free — and drops it, then starts over. The live tables are never written before the
 * switch, and the switch is one transaction, so a rerun ends with the tables a clean rebuild gives.
 *
 * Only the projections' own tables are touched: tables that are not a registered projection's
 * (access-key credentials, the log, checkpoints) are never dropped or rewritten; a foreign key
 * from one of them into a rebuilt table is re-pointed to the new table at the switch.
 */

export type RebuildPhase = "replay" | "write" | "index" | "catch-up" | "switch" | "done";

export interface RebuildProgress {
  readonly phase: RebuildPhase;
  /** Events folded so far (replay, catch-up) or rows written (write). */
  readonly done: number;
  /** The log's head as last read (replay, catch-up) or the rows to write (write). */
  readonly total: number;
}

export interface RebuildOptions {
  /** Projection names (inline-projector.ts); default every projection. */
  readonly projections?: readonly string[];
  /** Events read per page. */
  readonly pageSize?: number;
  /** Called after every page and phase; awaited (tests use it to act mid-rebuild). */
  readonly onProgress?: (p: RebuildProgress) => void | Promise<void>;
}

export interface RebuildResult {
  readonly projections: readonly string[];
  /** Events folded, replay and catch-up. */
  readonly events: number;
  /** The log position the new tables were caught up to when they went live. */
  readonly position: number;
  /** Projections not rebuilt: none since each is one definition both interpreters run (kept for the CLI's report). */
  readonly skipped: readonly string[];
}

/** The projections to rebuild: those named, or every one. */
export function selectProjections(names?: readonly string[]): Projection[] {
  if (!names || names.length === 0) return [...projections];
  const registered = projections.map((p) => p.name);
  const unknown = names.filter((n) => !registered.includes(n));
  if (unknown.length > 0) throw new Error(`no such projection: ${unknown.join(", ")} (projections: ${registered.join(", ")})`);
  return projections.filter((p) => names.includes(p.name));
}

const asQueryable = (conn: SqlRunner): RawQueryable => ({ $queryRawUnsafe: (sql: string, ...values: unknown[]) => conn.query(sql, values) as never });

export async function rebuildProjections(db: Database, options: RebuildOptions = {}): Promise<RebuildResult> {
  const selected = selectProjections(options.projections);
  const names = selected.map((p) => p.name);
  const pageSize = options.pageSize ?? 5000;
  const report = async (phase: RebuildPhase, done: number, total: number) => options.onProgress?.({ phase, done, total });

  return withRebuildLocks(db.prisma, db.sql, names, async (conn) => {
    const exec: Exec = (sql, params) => conn.query(sql, params);
    const query: Query = (sql, params) => conn.query(sql, params);
    const [{ live } = { live: "public" }] = await query<{ live: string }>(`SELECT current_schema() AS live`);
    const staging = stagingSchema(live, names);

    // We hold the locks of these projections: a staging schema that covers any of them belongs to
    // a run that died. Drop it (and a leftover __old from a run that died after its switch).
    for (const s of await listStaging(query, live)) {
      if (s.schema === staging || !s.state || s.state.projections.some((p) => names.includes(p))) {
        await dropSchema(exec, s.schema);
        await dropSchema(exec, oldSchema(s.schema));
      }
    }
    await dropSchema(exec, oldSchema(staging));
    const tables = selected.flatMap((p) => p.tables);
    await createStaging(exec, live, staging, tables, names);

    // Every projection runs, whatever is rebuilt: effective-policies reads the memberships and
    // attachments, and the model is cheap next to the writes.
    const model = emptyModel();
    await seedReferenceRows(query, model);
    let position = 0;
    let events = 0;
    const fold = (page: readonly StoredEvent[]) => {
      for (const e of page) for (const p of projections) if (p.handles.has(e.type)) applyInMemory(model, p, e);
      events += page.length;
      position = page.at(-1)?.position ?? position;
    };

    // Replay: the next page is read while this one is folded.
    const reader = asQueryable(conn);
    let head = await headPosition(reader);
    let next = readAll(reader, position, pageSize);
    let lastRecorded = 0;
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      next = readAll(reader, page.at(-1)!.position, pageSize);
      fold(page);
      head = Math.max(head, position);
      if (Date.now() - lastRecorded > 1000) {
        // Awaited after the prefetch, on the same connection: the driver queues the two.
        await recordProgress(exec, staging, "replay", position, head);
        lastRecorded = Date.now();
      }
      await report("replay", position, head);
    }

    // Bulk load, then keys and indexes.
    const mem = tables.map((t) => model[t]);
    const totalRows = mem.reduce((n, t) => n + t.rows.size, 0);
    let written = 0;
    await recordProgress(exec, staging, "write", 0, totalRows);
    for (const t of mem) {
      const rows = [...t.rows.values()];
      for (let i = 0; i < rows.length; i += 50_000) {
        await insertRows(exec, staging, t.name, rows.slice(i, i + 50_000));
        written += Math.min(50_000, rows.length - i);
        await recordProgress(exec, staging, "write", written, totalRows);
        await report("write", written, totalRows);
      }
    }
    await recordProgress(exec, staging, "index", written, totalRows);
    await report("index", written, totalRows);
    await finishStaging(exec, query, live, staging, tables);
    for (const t of mem) t.dirty = new Map<string, Row>();

    // Catch up without the lock while the log keeps growing, so the switch has little left.
    for (;;) {
      const page = await readAll(reader, position, pageSize);
      fold(page);
      await flushDirty(exec, query, staging, mem);
      head = Math.max(await headPosition(reader), position);
      await recordProgress(exec, staging, "catch-up", position, head);
      await report("catch-up", position, head);
      if (page.length < pageSize) break;
    }

    // The switch: the write lock keeps appends (and inline projections) out until it commits.
    await recordProgress(exec, staging, "switch", position, head);
    await report("switch", position, head);
    await db.prisma.$transaction(
      async (tx) => {
        const txExec: Exec = (sql, params = []) => tx.$executeRawUnsafe(sql, ...params);
        const txQuery: Query = (sql, params = []) => tx.$queryRawUnsafe(sql, ...params);
        await takeWriteLock(tx);
        for (;;) {
          const page = await readAll(tx, position, pageSize);
          if (page.length === 0) break;
          fold(page);
        }
        await flushDirty(txExec, txQuery, staging, mem);
        await switchTables(txExec, txQuery, live, staging, tables);
        await txExec(
          `INSERT INTO ${q(live)}.projection_checkpoints (name, position, updated_at) SELECT name, $2::bigint, now() FROM unnest($1::text[]) AS name
           ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
          [names, position],
        );
        await txExec(
          `INSERT INTO ${q(live)}.projection_versions (name, version, rebuilt_at, rebuilt_through, replayed_events)
           SELECT name, 2, now(), $2::bigint, $3::bigint FROM unnest($1::text[]) AS name
           ON CONFLICT (name) DO UPDATE SET version = projection_versions.version + 1, rebuilt_at = now(),
             rebuilt_through = EXCLUDED.rebuilt_through, replayed_events = EXCLUDED.replayed_events`,
          [names, position, events],
        );
      },
      { maxWait: 60_000, timeout: 10 * 60_000 },
    );
    await dropSchema(exec, oldSchema(staging));
    await dropSchema(exec, staging);
    await report("done", position, position);
    return { projections: names, events, position, skipped: [] };
  });
}

/** AWS-managed policies are seeded reference data, not in the log: the rebuilt policies tables keep them. */
async function seedReferenceRows(query: Query, model: ReadModel): Promise<void> {
  const aws = `(SELECT id FROM policies WHERE account_id = 'aws')`;
  for (const [table, where] of [
    ["policies", `account_id = 'aws'`],
    ["policy_versions", `policy_id IN ${aws}`],
    ["policy_tags", `policy_id IN ${aws}`],
  ] as const) {
    const rows = await query<{ r: Row | string }>(`SELECT row_to_json(t) AS r FROM ${table} t WHERE ${where}`);
    for (const { r } of rows) model[table].put(typeof r === "string" ? (JSON.parse(r) as Row) : r);
  }
}

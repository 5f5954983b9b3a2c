/**
 * Event append throughput against raw autocommit INSERTs of the same rows into the same `events`
 * table — sequential, and 8 concurrent writers on 8 streams. Ours three times:
 *   - a command's shape: `writer.submit(tx => appendToStreams(tx, …))`, the transaction every
 *     command runs in (app/group-commit.ts on db.transaction): on PostgreSQL `BEGIN; lock` in one
 *     round trip, the `append_events` call, `notify; COMMIT` in one round trip, on the raw driver;
 *     8 writers' jobs share one such transaction;
 *   - a real command: `CreateUser` through the command pipeline (app/command-pipeline.ts) —
 *     everything a createUser mutation pays below GraphQL and authorization: the lock, the name
 *     and quota reads, the decider, the append, the inline projections and their checkpoints;
 *   - a bare append (`GroupCommitWriter.append`: queued appends coalesced into one
 *     `append_events` call, one round trip and one commit; no production caller).
 * Every implementation runs in each of BENCH_ROUNDS (default 5) rounds, in a rotated order;
 * the table gives the median rate and the median, min and max of the per-round ratio to raw.
 */
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { currentSchemaVersion, type IamEvent } from "../events/catalogue.js";
import { prismaTransaction } from "../src/db/database.js";
import { listMigrations } from "../src/db/migrate.js";
import pino from "pino";
import { createCommandPipeline, type CommandPipeline } from "../src/app/command-pipeline.js";
import { GroupCommitWriter } from "../src/app/group-commit.js";
import { appendToStreams } from "../src/eventstore/append.js";
import type { EventMetadata } from "../src/eventstore/stored-event.js";
import { writeLockKey } from "../src/eventstore/write-lock.js";
import {
  foreignNote,
  formatProfile,
  measure,
  profilePg,
  rawPgClient,
  fmtRate,
  reports,
  row,
  withDatabase,
  type BackendName,
  type Bench,
  type BenchDatabase,
  type Row,
  watchWriteLock,
} from "./support.js";

const name = "append";
const writers = 8;

const metadata: EventMetadata = {
  accountId: "123456789012",
  actor: "arn:aws:iam::123456789012:user/bench",
  requestId: "00000000-0000-4000-8000-000000000000",
  correlationId: "00000000-0000-4000-8000-000000000000",
};

function eventFor(stream: string, version: number): IamEvent {
  const userName = `${stream}-${version}`;
  return {
    type: "UserCreated",
    data: { userId: `AIDA${version}`, userName, path: "/", arn: `arn:aws:iam::123456789012:user/${userName}`, tags: [] },
  };
}

const insertSql = `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::timestamptz)`;

function insertParams(stream: string, version: number): unknown[] {
  const event = eventFor(stream, version);
  return [stream, version, event.type, currentSchemaVersion(event.type), JSON.stringify(event.data), JSON.stringify(metadata), new Date().toISOString()];
}

/** Each worker appends to its own stream; versions count up per worker (warmup included). */
function streams(prefix: string) {
  const versions = new Map<number, number>();
  return (worker: number) => {
    const version = (versions.get(worker) ?? 0) + 1;
    versions.set(worker, version);
    return { stream: `${prefix}-w${worker}`, version };
  };
}

/** A command's shape: its own transaction in the writer (lock, then work, then commit), holding one append. */
async function appendInTransaction(writer: GroupCommitWriter, stream: string, version: number): Promise<void> {
  await writer.submit((tx) => appendToStreams(tx, [{ streamId: stream, expectedVersion: version - 1, events: [eventFor(stream, version)] }], metadata, new Date()));
}

/** A real command: CreateUser through the pipeline, inline projections included (no authorization: an in-process sender). */
async function createUser(pipeline: CommandPipeline, stream: string, version: number): Promise<void> {
  await pipeline.handle({ type: "CreateUser", userName: `${stream}-${version}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64), path: "/", tags: [] }, { actor: metadata.actor });
}

/** The append path: a bare append through the writer, coalesced with the appends queued beside it. */
async function appendBare(writer: GroupCommitWriter, stream: string, version: number): Promise<void> {
  await writer.append([{ streamId: stream, expectedVersion: version - 1, events: [eventFor(stream, version)] }], metadata, new Date());
}

const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));

const bench: Bench = {
  name,
  description: `appends vs raw INSERT (and raw transaction, 1-call what-if), sequential and 8 writers, ${rounds} alternated rounds, PGlite and PostgreSQL`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    const seq = { ops: Math.round(1000 * scale), maxSeconds: 1.5 * scale, concurrency: 1, warmup: 20 };
    const par = { ops: Math.round(2000 * scale), maxSeconds: 1.5 * scale, concurrency: writers, warmup: 20 };

    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const raw = await openRaw(backend, db);
        const truncate = async () => {
          // The read models too: the createUser row's users count toward the account's quota.
          await db.sql.exec("TRUNCATE events, users, projection_checkpoints RESTART IDENTITY CASCADE");
          await raw.truncate();
        };
        const groupCommit = new GroupCommitWriter(db);
        const pipeline = createCommandPipeline({ db, accountId: metadata.accountId, logger: pino({ level: "silent" }) });
        // Before (until 2026-12-02 on PostgreSQL): the same writer and pipeline on Prisma's interactive transaction.
        const viaPrisma = { ...db, transaction: prismaTransaction(db.prisma) };
        const groupCommitBefore = new GroupCommitWriter(viaPrisma);
        const pipelineBefore = createCommandPipeline({ db: viaPrisma, accountId: metadata.accountId, logger: pino({ level: "silent" }) });
        const impls: { name: string; writer: Writer; count: () => Promise<number>; note: string }[] = [
          { name: "raw INSERT", writer: raw.plain, count: raw.count, note: "baseline, autocommit" },
          { name: "raw tx same SQL", writer: raw.sameSqlTx, count: raw.count, note: "the old append's SQL, no Prisma" },
          { name: "what-if 1-call fn", writer: raw.oneCall, count: raw.count, note: "plpgsql lock+check+insert, no Prisma" },
          { name: "appendToStreams in a transaction", writer: { insert: (_w, s, v) => appendInTransaction(groupCommit, s, v) }, count: () => countEvents(db), note: "◀ a command's shape: writer.submit, BEGIN+lock · append_events · notify+COMMIT" },
          ...(backend === "postgres"
            ? [
                { name: "before: command's shape on Prisma's transaction", writer: { insert: (_w: number, s: string, v: number) => appendInTransaction(groupCommitBefore, s, v) }, count: () => countEvents(db), note: "BEGIN · lock · append_events · notify · COMMIT through Prisma" },
                { name: "before: createUser on Prisma's transaction", writer: { insert: (_w: number, s: string, v: number) => createUser(pipelineBefore, s, v) }, count: () => countEvents(db), note: "the pipeline on Prisma's interactive transaction" },
              ]
            : []),
          { name: "createUser via the pipeline", writer: { insert: (_w, s, v) => createUser(pipeline, s, v) }, count: () => countEvents(db), note: "◀ a real command: lock, reads, decide, append, inline projections, commit" },
          { name: "writer.append", writer: { insert: (_w, s, v) => appendBare(groupCommit, s, v) }, count: () => countEvents(db), note: "bare append: one append_events call per queued run (no production caller)" },
        ];
        try {
          for (const [label, phase] of [
            ["sequential", seq],
            [`${writers} writers`, par],
          ] as const) {
            const results = new Map<string, { rates: number[]; ops: number; seconds: number; foreign: number[] }>(impls.map((i) => [i.name, { rates: [], ops: 0, seconds: 0, foreign: [] }]));
            const ratios = new Map<string, number[]>(impls.map((i) => [i.name, []]));
            for (let round = 0; round < rounds; round++) {
              // Each round starts with a different implementation, so none always runs first or last.
              const order = impls.map((_, i) => impls[(i + round) % impls.length]!);
              const rates = new Map<string, number>();
              for (const impl of order) {
                await truncate();
                const next = streams(`${impl.name}-${label}-${round}`);
                const { result: r, foreignPct } = await watchWriteLock(backend, writeLockKey, () =>
                  measure(`${backend} ${impl.name} ${label} round ${round + 1}/${rounds}`, phase, (_i, w) => {
                    const { stream, version } = next(w);
                    return impl.writer.insert(w, stream, version);
                  }),
                );
                const n = await impl.count();
                if (n !== r.ops + phase.warmup) throw new Error(`${impl.name}: expected ${r.ops + phase.warmup} events in the log, found ${n}`);
                const acc = results.get(impl.name)!;
                acc.rates.push(r.rate);
                acc.ops += r.ops;
                acc.seconds += r.seconds;
                if (foreignPct !== undefined) acc.foreign.push(foreignPct);
                rates.set(impl.name, r.rate);
              }
              for (const impl of impls) ratios.get(impl.name)!.push(rates.get(impl.name)! / rates.get("raw INSERT")!);
            }
            const driver = backend === "pglite" ? "pglite" : `${phase.concurrency} pg client(s)`;
            for (const impl of impls) {
              const acc = results.get(impl.name)!;
              const rs = ratios.get(impl.name)!;
              const spread = impl.name === "raw INSERT" ? `${fmtRate(Math.min(...acc.rates))}–${fmtRate(Math.max(...acc.rates))}/s over ${rounds} rounds` : `median ${pct(median(rs))} of raw (${pct(Math.min(...rs))}–${pct(Math.max(...rs))} over ${rounds} rounds)`;
              const foreign = acc.foreign.length > 0 ? foreignNote(Math.max(...acc.foreign)) : "";
              rows.push({ ...row(name, backend, `${impl.name}, ${label}`, { ops: acc.ops, seconds: acc.seconds, rate: median(acc.rates) }), note: `${spread}; ${impl.note}; ${driver}${foreign}` });
            }
          }

          if (backend === "postgres") {
            for (const [title, one] of [
              ["PostgreSQL writer.append, sequential single-event appends", appendBare],
              ["PostgreSQL appendToStreams in a writer transaction (a command's shape), sequential", appendInTransaction],
              ["PostgreSQL createUser through the command pipeline, sequential", (_: GroupCommitWriter, s: string, v: number) => createUser(pipeline, s, v)],
              ["PostgreSQL before: createUser on Prisma's interactive transaction, sequential", (_: GroupCommitWriter, s: string, v: number) => createUser(pipelineBefore, s, v)],
            ] as const) {
              await truncate();
              const n = Math.round(300 * scale);
              const next = streams("profile");
              const t0 = performance.now();
              const { stats } = await profilePg(async () => {
                for (let i = 0; i < n; i++) {
                  const { stream, version } = next(0);
                  await one(groupCommit, stream, version);
                }
              });
              reports.push(formatProfile(title, stats, n, performance.now() - t0));
            }
          }
        } finally {
          await raw.close();
        }
      });
    }
    return rows;
  },
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export default bench;

interface Writer {
  insert(worker: number, stream: string, version: number): Promise<void>;
}

interface Raw {
  /** The baseline: one autocommit INSERT per event. */
  readonly plain: Writer;
  /** What appendToStreams sends, straight through the driver: BEGIN, lock, version check, INSERT, COMMIT. */
  readonly sameSqlTx: Writer;
  /** What-if: lock + version check + INSERT in one plpgsql call, one autocommit round trip. */
  readonly oneCall: Writer;
  count(): Promise<number>;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

const versionSql = `SELECT stream_id, max(stream_version)::int AS version FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`;
const unnestInsertSql = `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
     SELECT s, v, t, sv, d::jsonb, $6::jsonb, $7::timestamptz
       FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS x(s, v, t, sv, d, n)
      ORDER BY n
     RETURNING position`;
const lockSql = `SELECT pg_advisory_xact_lock(${writeLockKey}, hashtext(current_schema()))`;
const oneCallFunction = `
CREATE FUNCTION bench_append(p_stream text, p_expected int, p_type text, p_sv int, p_data jsonb, p_meta jsonb, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v int; pos bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${writeLockKey}, hashtext(current_schema()));
  SELECT coalesce(max(stream_version), 0) INTO v FROM events WHERE stream_id = p_stream;
  IF v <> p_expected THEN RAISE EXCEPTION 'stream % is at version %, expected %', p_stream, v, p_expected USING ERRCODE = '40001'; END IF;
  INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
  VALUES (p_stream, v + 1, p_type, p_sv, p_data, p_meta, p_at) RETURNING position INTO pos;
  RETURN pos;
END $$`;
const oneCallSql = `SELECT bench_append($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::timestamptz)`;

function unnestParams(stream: string, version: number): unknown[] {
  const [s, v, t, sv, d, m, at] = insertParams(stream, version);
  return [[s], [v], [t], [sv], [d], m, at];
}

function oneCallParams(stream: string, version: number): unknown[] {
  const p = insertParams(stream, version);
  p[1] = version - 1; // expected version
  return p;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

async function sameSql(q: Queryable, stream: string, version: number): Promise<void> {
  await q.query(lockSql);
  await q.query(versionSql, [[stream]]);
  await q.query(unnestInsertSql, unnestParams(stream, version));
}

/**
 * PostgreSQL: plain `pg` clients (one per writer) in the bench schema. PGlite: a second
 * in-memory PGlite with the same migrations, driven with `pglite.query`.
 */
async function openRaw(backend: BackendName, db: BenchDatabase): Promise<Raw> {
  if (backend === "pglite") {
    const pglite = await PGlite.create("memory://");
    for (const m of listMigrations()) await pglite.exec(m.sql);
    await pglite.exec(oneCallFunction);
    return {
      plain: { insert: async (_w, stream, version) => void (await pglite.query(insertSql, insertParams(stream, version))) },
      sameSqlTx: { insert: (_w, stream, version) => pglite.transaction((tx) => sameSql(tx, stream, version)) },
      oneCall: { insert: async (_w, stream, version) => void (await pglite.query(oneCallSql, oneCallParams(stream, version))) },
      count: async () => (await pglite.query<{ n: number }>("SELECT count(*)::int AS n FROM events")).rows[0]!.n,
      truncate: async () => void (await pglite.exec("TRUNCATE events RESTART IDENTITY")),
      close: () => pglite.close(),
    };
  }
  const clients: pg.Client[] = [];
  for (let i = 0; i < writers; i++) clients.push(await rawPgClient(db.schema!));
  await clients[0]!.query(oneCallFunction);
  return {
    plain: { insert: async (w, stream, version) => void (await clients[w]!.query(insertSql, insertParams(stream, version))) },
    sameSqlTx: {
      async insert(w, stream, version) {
        const c = clients[w]!;
        await c.query("BEGIN");
        try {
          await sameSql(c, stream, version);
          await c.query("COMMIT");
        } catch (err) {
          await c.query("ROLLBACK");
          throw err;
        }
      },
    },
    oneCall: { insert: async (w, stream, version) => void (await clients[w]!.query(oneCallSql, oneCallParams(stream, version))) },
    count: async () => (await clients[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM events")).rows[0]!.n,
    truncate: async () => void (await clients[0]!.query("TRUNCATE events RESTART IDENTITY")),
    close: async () => void (await Promise.all(clients.map((c) => c.end()))),
  };
}

async function countEvents(db: BenchDatabase): Promise<number> {
  const [r] = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM events");
  return r!.n;
}

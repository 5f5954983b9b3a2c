import type { Server } from "node:http";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openDatabase, quoteIdent, type Database, type DatabaseOptions } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";

/** PostgreSQL to bench against: DATABASE_URL, else the local test server. */
export const postgresUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
export const benchApplicationName = "iamgraph-bench";
/** The same URL tagged with application_name, so other sessions on the server can be told apart. */
const taggedUrl = `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}application_name=${benchApplicationName}`;

export type BackendName = "pglite" | "postgres";

/** One line of the results table. */
export interface Row {
  readonly bench: string;
  /** "none": a baseline that uses no database. */
  readonly backend: BackendName | "none";
  readonly case: string;
  readonly ops: number;
  readonly seconds: number;
  /** ops per second */
  readonly rate: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Free text: a ratio, "skipped", … */
  readonly note?: string;
}

export interface BenchContext {
  /** Backends to run; postgres only when reachable (run.ts says so loudly otherwise). */
  readonly backends: readonly BackendName[];
  /** Scale factor from BENCH_SCALE (default 1): multiplies op counts and time caps. */
  readonly scale: number;
}

export interface Bench {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

// ---------- databases ----------

const liveSchemas = new Set<string>();

export interface BenchDatabase extends Database {
  /** The PostgreSQL schema (search_path) the database lives in; undefined for PGlite. */
  readonly schema: string | undefined;
  dispose(): Promise<void>;
}

/** A fresh, migrated database: PGlite in memory, or its own `bench_<random>` PostgreSQL schema. */
export async function openBenchDatabase(backend: BackendName, options: Omit<DatabaseOptions, "databaseUrl" | "dataDir" | "schema"> = {}): Promise<BenchDatabase> {
  if (backend === "pglite") {
    const db = await openDatabase({ ...options, dataDir: "memory://" });
    await migrate(db.sql);
    return { ...db, schema: undefined, dispose: () => db.close() };
  }
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE SCHEMA ${quoteIdent(schema)}`);
  liveSchemas.add(schema);
  const db = await openDatabase({ ...options, databaseUrl: taggedUrl, schema });
  try {
    await migrate(db.sql);
  } catch (err) {
    await db.close().catch(() => undefined);
    await dropSchema(schema);
    throw err;
  }
  return {
    ...db,
    schema,
    async dispose() {
      await db.close().catch(() => undefined);
      await dropSchema(schema);
    },
  };
}

/** A plain `pg` client whose search_path is the given schema (the raw-INSERT baseline). */
export async function rawPgClient(schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: taggedUrl, options: `-c search_path=${quoteIdent(schema)}` });
  await client.connect();
  return client;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: taggedUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  if (!liveSchemas.has(schema)) return;
  await adminQuery(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  liveSchemas.delete(schema);
}

/** Drops every bench schema still alive (run.ts calls it in `finally` and on signals). */
export async function dropAllSchemas(): Promise<string[]> {
  const dropped: string[] = [];
  for (const schema of [...liveSchemas]) {
    try {
      await dropSchema(schema);
      dropped.push(schema);
    } catch (err) {
      process.stderr.write(`!! could not drop schema ${schema}: ${(err as Error).message}\n`);
    }
  }
  return dropped;
}

/** True when PostgreSQL answers within a few seconds. */
export async function postgresReachable(): Promise<{ ok: true; version: string } | { ok: false; error: string }> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { ok: true, version: rows[0]!.v };
  } catch (err) {
    return { ok: false, error: (err as Error).message || String(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------- measuring ----------

export interface Phase {
  /** Ops to run (upper bound). */
  readonly ops: number;
  /** Stop early after this many seconds, whatever `ops` says. */
  readonly maxSeconds: number;
  /** Concurrent workers pulling op indexes from one counter. */
  readonly concurrency: number;
  /** Ops run before timing starts, not counted (JIT, pools, caches). */
  readonly warmup?: number;
  /** Record per-op latency (for p50/p99). */
  readonly latency?: boolean;
}

export interface PhaseResult {
  readonly ops: number;
  readonly seconds: number;
  readonly rate: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/**
 * Runs `op(i, worker)` for i = 0, 1, … across `concurrency` workers until `ops` are done or the
 * time cap passes. Warmup ops use negative indexes (-1, -2, …) so callers can keep them apart.
 * Prints one progress line a second to stderr with rate and ETA.
 */
export async function measure(label: string, phase: Phase, op: (i: number, worker: number) => Promise<void>): Promise<PhaseResult> {
  for (let i = 0; i < (phase.warmup ?? 0); i++) await op(-1 - i, 0);
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + phase.maxSeconds * 1000;
  const ticker = setInterval(() => progress(label, done, phase.ops, start, phase.maxSeconds), 1000);
  ticker.unref();
  progressStart(label, phase);
  try {
    await Promise.all(
      Array.from({ length: phase.concurrency }, async (_, worker) => {
        while (next < phase.ops && performance.now() < deadline) {
          const i = next++;
          const t0 = performance.now();
          await op(i, worker);
          if (phase.latency) latencies.push(performance.now() - t0);
          done++;
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - start) / 1000;
  const result: PhaseResult = {
    ops: done,
    seconds,
    rate: done / seconds,
    ...(phase.latency ? { p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) } : {}),
  };
  const capped = done < phase.ops ? ` (time cap ${phase.maxSeconds}s hit before ${phase.ops})` : "";
  process.stderr.write(
    `  ✓ ${label}: ${done} ops in ${seconds.toFixed(2)}s = ${fmtRate(result.rate)}/s` +
      (result.p50Ms !== undefined ? `, p50 ${result.p50Ms.toFixed(2)}ms p99 ${result.p99Ms!.toFixed(2)}ms` : "") +
      `${capped}\n`,
  );
  return result;
}

function progressStart(label: string, phase: Phase): void {
  process.stderr.write(`  … ${label}: ${phase.ops} ops, ${phase.concurrency} concurrent, cap ${phase.maxSeconds}s\n`);
}

function progress(label: string, done: number, total: number, start: number, maxSeconds: number): void {
  const elapsed = (performance.now() - start) / 1000;
  const rate = done / elapsed;
  const eta = Math.min(rate > 0 ? (total - done) / rate : Infinity, maxSeconds - elapsed);
  process.stderr.write(`    ${label}: ${done}/${total} ${fmtRate(rate)}/s, ETA ${Math.max(0, eta).toFixed(1)}s\n`);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function fmtRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1);
}

export function ratio(ours: number, raw: number): string {
  return `${((ours / raw) * 100).toFixed(0)}% of raw`;
}

export function row(bench: string, backend: BackendName, name: string, r: PhaseResult, note?: string): Row {
  return { bench, backend, case: name, ops: r.ops, seconds: r.seconds, rate: r.rate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, note } as Row;
}

/** Runs `fn` with the database, disposing of it (dropping its schema) whatever happens. */
export async function withDatabase<T>(
  backend: BackendName,
  fn: (db: BenchDatabase) => Promise<T>,
  options: Omit<DatabaseOptions, "databaseUrl" | "dataDir" | "schema"> = {},
): Promise<T> {
  const db = await openBenchDatabase(backend, options);
  try {
    return await fn(db);
  } finally {
    await db.dispose();
  }
}

export function formatTable(rows: readonly Row[]): string {
  const header = ["bench", "backend", "case", "ops", "s", "ops/s", "p50 ms", "p99 ms", "note"];
  const lines = rows.map((r) => [
    r.bench,
    r.backend,
    r.case,
    String(r.ops),
    r.seconds.toFixed(2),
    fmtRate(r.rate),
    r.p50Ms !== undefined ? r.p50Ms.toFixed(2) : "",
    r.p99Ms !== undefined ? r.p99Ms.toFixed(2) : "",
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7]);
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  return [fmt(header), `|${widths.map((w, i) => (numeric.has(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`, ...lines.map(fmt)].join("\n");
}

// ---------- reports and profiling ----------

/** Text blocks printed after the table (profiles, explanations). */
export const reports: string[] = [];

export interface StatementStats {
  readonly statement: string;
  count: number;
  totalMs: number;
}

/**
 * Records every statement any `pg` client sends (the Prisma adapter's included — BEGIN and
 * COMMIT too) with its round-trip time, while `fn` runs. Only promise-style calls are timed.
 */
export async function profilePg<T>(fn: () => Promise<T>): Promise<{ result: T; stats: StatementStats[] }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const stats = new Map<string, StatementStats>();
  const record = (text: string, ms: number) => {
    const key = normalize(text);
    const s = stats.get(key) ?? { statement: key, count: 0, totalMs: 0 };
    s.count++;
    s.totalMs += ms;
    stats.set(key, s);
  };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string } | undefined;
    const text = typeof config === "string" ? config : (config?.text ?? "?");
    const t0 = performance.now();
    // Pool.query (Prisma outside a transaction) calls client.query(text, values, callback).
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        record(text, performance.now() - t0);
        return callback(...a);
      };
      return original.apply(this, args);
    }
    const ret = original.apply(this, args);
    if (ret && typeof (ret as Promise<unknown>).then === "function") {
      (ret as Promise<unknown>).then(
        () => record(text, performance.now() - t0),
        () => record(text, performance.now() - t0),
      );
    }
    return ret;
  };
  try {
    const result = await fn();
    return { result, stats: [...stats.values()] };
  } finally {
    proto.query = original;
  }
}

function normalize(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  return s.length > 90 ? `${s.slice(0, 87)}…` : s;
}

/** A profile as text: statements per operation, in the order of first use, with mean round trip. */
export function formatProfile(title: string, stats: readonly StatementStats[], operations: number, wallMs: number): string {
  const perOp = stats.reduce((n, s) => n + s.count, 0) / operations;
  const dbMs = stats.reduce((n, s) => n + s.totalMs, 0) / operations;
  const lines = stats.map(
    (s) => `  ${(s.count / operations).toFixed(2).padStart(5)} × ${(s.totalMs / s.count).toFixed(3).padStart(7)} ms  ${s.statement}`,
  );
  return [
    `${title}: ${operations} operations, ${perOp.toFixed(1)} statements (round trips) each;`,
    `  wall ${(wallMs / operations).toFixed(3)} ms/op, of which ${dbMs.toFixed(3)} ms awaiting PostgreSQL, ${(wallMs / operations - dbMs).toFixed(3)} ms in Node (Prisma, JSON, our code)`,
    `  per op × mean round trip  statement`,
    ...lines,
  ].join("\n");
}

/**
 * Advisory locks are per database, not per schema: test suites or other benches working in other
 * schemas of the same database take the very same write lock and slow our PostgreSQL appends.
 * Samples pg_locks every 100 ms while `fn` runs and says how often a session that is not this
 * bench held or awaited the write lock.
 */
export async function watchWriteLock<T>(backend: BackendName, lockKey: number, fn: () => Promise<T>): Promise<{ result: T; foreignPct: number | undefined }> {
  if (backend !== "postgres") return { result: await fn(), foreignPct: undefined };
  const client = new pg.Client({ connectionString: taggedUrl });
  await client.connect();
  let samples = 0;
  let busy = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND a.application_name IS DISTINCT FROM $2`,
        [lockKey, benchApplicationName],
      );
      samples++;
      if (rows[0]!.n > 0) busy++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const result = await fn();
    return { result, foreignPct: samples > 0 ? (busy / samples) * 100 : 0 };
  } finally {
    stopped = true;
    await loop.catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

export function foreignNote(pct: number | undefined): string {
  return pct === undefined || pct === 0 ? "" : `; ⚠ write lock also used by other sessions in ${pct.toFixed(0)}% of samples`;
}

/** The root key bench servers are configured with (requests are authenticated like any other). */
export const benchRootKey = { accessKeyId: "AKIAIAMGRAPHBENCHROOT", secretAccessKey: "bench-root-secret/not-for-production-0123" } as const;
export const benchEnv = {
  // Benches build fresh stores: the full AWS catalogue's one-time import would swamp what they
  // measure (bench/catalogue.bench.ts measures the catalogue itself).
  IAMGRAPH_AWS_CATALOGUE: "builtin",
  IAMGRAPH_ROOT_ACCESS_KEY_ID: benchRootKey.accessKeyId,
  IAMGRAPH_ROOT_SECRET_ACCESS_KEY: benchRootKey.secretAccessKey,
  IAMGRAPH_MASTER_KEY: "YmVuY2gtbWFzdGVyLWtleS1kby1ub3QtdXNlLTAxMjM=",
  // The per-key token bucket still runs on every request, but a quiet machine's benches go past
  // its default 1,000 req/s (the one key is the bench's root key): they measure the server.
  IAMGRAPH_RATE_LIMIT_RPS: "1000000",
  IAMGRAPH_RATE_LIMIT_BURST: "1000000",
} as const;
export const benchRootAuthorization = `Basic ${Buffer.from(`${benchRootKey.accessKeyId}:${benchRootKey.secretAccessKey}`).toString("base64")}`;

/** POSTs a GraphQL operation signed with `authorization` (default: the bench root key); throws on an HTTP error or GraphQL errors. */
export async function post(url: string, query: string, variables: Record<string, unknown>, authorization: string = benchRootAuthorization): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** Closes an HTTP server, dropping kept-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Deterministic PRNG, so every run (and every engine compared) sees the same scenario. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

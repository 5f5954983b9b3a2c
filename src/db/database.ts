import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import { DataDirLock } from "./data-dir-lock.js";
import { PgTransactions } from "./pg-transaction.js";
import { initdbTemplate } from "./pglite-template.js";
import { collectGarbage } from "../collect-garbage.js";
import type { SqlRunner } from "./sql-runner.js";
import type { Tx } from "./transaction.js";

export type Prisma = PrismaClient;

/** An open store: Prisma for the application, a raw runner for migrations and tools. */
export interface Database {
  readonly kind: "embedded" | "postgres";
  readonly prisma: PrismaClient;
  readonly sql: SqlRunner;
  /** Embedded on disk: the data directory's exclusive lock, held until close (data-dir-lock.ts). */
  readonly dataDirLock?: DataDirLock;
  /**
   * One transaction for the write path: `first` after BEGIN, then `body`, then `last` before
   * COMMIT; rolled back when anything throws or the body outlives `timeoutMs`. On PostgreSQL it
   * runs on the raw driver with `first` and `last` fused into BEGIN's and COMMIT's round trips
   * (pg-transaction.ts); on PGlite it is Prisma's interactive transaction.
   */
  transaction<T>(body: (tx: Tx) => Promise<T>, options: TransactionOptions): Promise<T>;
  /** LISTEN on a session of its own (see Listener). */
  listen(channel: string, onNotify: () => void, onLost: (err: unknown) => void): Promise<Listener>;
  close(): Promise<void>;
}

/**
 * A LISTEN held on a dedicated session — never a pooled connection, which changes hands and
 * would drop the LISTEN with it. `onLost` is called once if the session dies; the caller
 * listens again (log-tailer.ts does, with backoff).
 */
export interface Listener {
  close(): Promise<void>;
}

export interface TransactionOptions {
  /** Statements without parameters, run right after BEGIN. */
  readonly first: readonly string[];
  /** Statements without parameters, run right before COMMIT. */
  readonly last: readonly string[];
  /** Longest the transaction may run. */
  readonly timeoutMs: number;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; absent → embedded PGlite. */
  readonly databaseUrl?: string;
  /** PGlite data directory; `memory://` for a throwaway in-memory database. */
  readonly dataDir?: string;
  /** PostgreSQL schema to work in (tests give each suite its own). */
  readonly schema?: string;
  /** Called with every SQL statement Prisma sends (the N+1 test counts them). */
  readonly onQuery?: (sql: string) => void;
  readonly poolSize?: number;
  /** Embedded: what this process opens the store for, recorded in the lock (`serve`, `events export`, …). */
  readonly purpose?: string;
}

/** Where a configuration's store lives, as `openDatabase` takes it (which reads `?schema=` from the URL). */
export function storeOptions(config: { readonly databaseUrl: string | undefined; readonly dataDir: string }, purpose: string): DatabaseOptions {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir, purpose };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (!options.databaseUrl) return openEmbedded(options.dataDir ?? "memory://", options);
  // Prisma's convention: `?schema=` in the URL picks the schema (pg itself would ignore it).
  const url = new URL(options.databaseUrl);
  const schema = options.schema ?? url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  return openPostgres(url.toString(), { ...options, ...(schema ? { schema } : {}) });
}

/**
 * PGlite's PostgreSQL keeps its buffer pool inside the WASM heap, so shared_buffers is resident
 * memory of this process: PGlite's default (128MB) is most of an idle embedded server's RSS.
 * The embedded store is small and its pages stay in the OS cache anyway, so 32MB (bench/
 * footprint.bench.ts measures both); IAMGRAPH_PGLITE_SHARED_BUFFERS overrides it.
 */
function pgliteSharedBuffers(): string {
  const v = process.env.IAMGRAPH_PGLITE_SHARED_BUFFERS ?? "";
  return /^\d+(kB|MB|GB)$/.test(v) ? v : "32MB";
}

async function openEmbedded(dataDir: string, options: DatabaseOptions): Promise<Database> {
  let lock: DataDirLock | undefined;
  if (!dataDir.startsWith("memory://")) {
    fs.mkdirSync(dataDir, { recursive: true });
    // Before PGlite touches a file: a second process on one data dir corrupts it.
    lock = DataDirLock.acquire(dataDir, options.purpose);
  }
  let pglite: PGlite;
  try {
    // A new store (no PG_VERSION yet) starts from the initdb template when the build made one.
    const onDisk = !dataDir.startsWith("memory://");
    const fresh = !onDisk || !fs.existsSync(path.join(dataDir, "PG_VERSION"));
    const template = fresh ? initdbTemplate() : undefined;
    pglite = await PGlite.create(dataDir, { postgresqlconf: `shared_buffers=${pgliteSharedBuffers()}`, ...(template ? { loadDataDir: template } : {}) });
    // A new store leaves ~90 MB of garbage behind: the template's tarball unpacked (or initdb's
    // WASM instance). An idle server may not collect it for a long time, and the heap grown
    // around it stays resident; one full GC now, before the server allocates, gives it back.
    // (Not for memory:// stores: tests and benches open many, and nothing of theirs idles.)
    if (fresh && onDisk) collectGarbage();
  } catch (err) {
    lock?.release();
    throw err;
  }
  const prisma = withQueryLog(new PrismaClient({ adapter: new PrismaPGlite(pglite), ...logOptions(options) }), options);
  const sql: SqlRunner = {
    exec: async (text) => {
      await pglite.exec(text);
    },
    query: async <T,>(text: string, params: unknown[] = []) => (await pglite.query<T>(text, params)).rows,
    session: (fn) => fn(sql), // PGlite is a single connection
  };
  return {
    kind: "embedded",
    prisma,
    sql,
    ...(lock ? { dataDirLock: lock } : {}),
    // PGlite is one connection and answers in microseconds: Prisma's own transaction costs little here.
    transaction: prismaTransaction(prisma),
    // PGlite delivers NOTIFYs of its own (single) session to its listeners; it cannot drop.
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, () => onNotify());
      return { close: () => unlisten() };
    },
    async close() {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** `Database.transaction` as Prisma's interactive transaction, each statement its own round trip. */
export function prismaTransaction(prisma: PrismaClient): Database["transaction"] {
  return (body, options) =>
    prisma.$transaction(
      async (tx) => {
        for (const statement of options.first) await tx.$executeRawUnsafe(statement);
        const value = await body(tx);
        for (const statement of options.last) await tx.$executeRawUnsafe(statement);
        return value;
      },
      // Transactions queue behind each other for a connection or the lock: waiting is expected.
      { maxWait: 60_000, timeout: options.timeoutMs },
    );
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const searchPath = options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {};
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, ...searchPath });
  // A pooled connection can fail while idle (server restart); log it instead of crashing the process.
  pool.on("error", () => undefined);
  const adapter = new PrismaPg(pool, options.schema ? { schema: options.schema } : undefined);
  const prisma = withQueryLog(new PrismaClient({ adapter, ...logOptions(options) }), options);
  const transactions = new PgTransactions({ connectionString: url, max: 2, application_name: "iamgraph writer", ...searchPath }, options.schema, options.onQuery);
  return {
    kind: "postgres",
    prisma,
    sql: runnerOver(pool),
    transaction: (body, transactionOptions) => transactions.run(body, transactionOptions),
    async listen(channel, onNotify, onLost) {
      const client = new pg.Client({ connectionString: url, application_name: "iamgraph log tailer", ...searchPath });
      let lost = false;
      const lose = (err: unknown) => {
        if (lost) return;
        lost = true;
        void client.end().catch(() => undefined);
        onLost(err);
      };
      client.on("error", lose);
      client.on("end", () => lose(new Error("LISTEN session ended")));
      client.on("notification", (n) => {
        if (n.channel === channel) onNotify();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (err) {
        lost = true;
        await client.end().catch(() => undefined);
        throw err;
      }
      return {
        async close() {
          lost = true;
          await client.end().catch(() => undefined);
        },
      };
    },
    async close() {
      await prisma.$disconnect();
      await transactions.close();
      await pool.end();
    },
  };
}

function runnerOver(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    exec: async (text) => {
      await client.query(text);
    },
    query: async <T,>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
    session: async (fn) => {
      if (!(client instanceof pg.Pool)) return fn(runnerOver(client));
      const connection = await client.connect();
      try {
        return await fn(runnerOver(connection));
      } finally {
        connection.release();
      }
    },
  };
}

function logOptions(options: DatabaseOptions) {
  return options.onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {};
}

function withQueryLog(prisma: PrismaClient, options: DatabaseOptions): PrismaClient {
  const onQuery = options.onQuery;
  if (onQuery) (prisma as unknown as { $on(e: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
  return prisma;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

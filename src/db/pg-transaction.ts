import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Tx } from "./transaction.js";
import type { TransactionOptions } from "./database.js";

/**
 * Transactions on PostgreSQL driven on the raw `pg` connection instead of Prisma's interactive
 * transaction, for the write path (app/group-commit.ts), where every round trip is paid while the
 * write lock is held.
 *
 * Why: Prisma's interactive transaction sends BEGIN, then each statement, then COMMIT, each its
 * own round trip through its query engine (~0.15 ms of Node per statement here; on a loaded
 * machine each round trip is a scheduling delay of both processes). Here the statements that
 * take no parameters ride with BEGIN and COMMIT in one simple-protocol message each
 * (`BEGIN; SELECT pg_advisory_xact_lock(…)` and `SELECT pg_notify(…); COMMIT`), the body's raw
 * statements go straight to the driver, and the connections run in pg's pipeline mode, so the
 * body's first statement is sent behind BEGIN's message without waiting for its answer (the
 * server runs them in order: the statement still runs after the lock is granted, and fails if
 * BEGIN did). A transaction thus costs one round trip beside its own statements: COMMIT's.
 * Prisma's model API still works inside: the
 * body's `tx` is a Prisma client whose adapter "pool" is the one connection the transaction
 * holds, so `tx.user.findUnique` runs in this transaction like any other statement.
 *
 * Each concurrent transaction takes a session (its own bound client) from a small free list;
 * a database usually needs one (one writer), two when two runtimes share it (tests do).
 */
export class PgTransactions {
  readonly #free: Session[] = [];
  readonly #all: Session[] = [];

  /** Connections of their own (pipeline mode is per connection), opened as transactions need them. */
  private readonly pool: pg.Pool;

  constructor(
    config: pg.PoolConfig,
    private readonly schema: string | undefined,
    private readonly onQuery?: (sql: string) => void,
  ) {
    this.pool = new pg.Pool({ ...config, pipeline: true });
    // A connection can fail while idle (server restart): the next transaction opens another.
    this.pool.on("error", () => undefined);
  }

  async run<T>(body: (tx: Tx) => Promise<T>, options: TransactionOptions): Promise<T> {
    const session = this.#free.pop() ?? this.#newSession();
    const connection = await this.pool.connect();
    let broken: Error | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      session.close(new Error(`transaction timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    try {
      // Not awaited before the body's first statement, which follows it on the wire (see above).
      const begun = this.#send(connection, ["BEGIN", ...options.first].join("; "));
      begun.catch(() => undefined); // awaited below; a failure also fails every statement after it
      session.open(connection);
      let value: T;
      try {
        value = await body(session.tx);
        await begun;
        if (timedOut) throw new Error(`transaction timed out after ${options.timeoutMs} ms`);
      } finally {
        session.close();
      }
      // One message: a failing statement skips the COMMIT after it, and the catch rolls back.
      await this.#send(connection, [...options.last, "COMMIT"].join("; "));
      return value;
    } catch (err) {
      try {
        await connection.query("ROLLBACK");
      } catch (e) {
        broken = e as Error; // the connection is gone: the server rolled back; the pool drops it
      }
      throw err;
    } finally {
      clearTimeout(timer);
      connection.release(broken);
      this.#free.push(session);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((s) => s.prisma.$disconnect()));
    await this.pool.end();
  }

  async #send(connection: pg.PoolClient, sql: string): Promise<void> {
    this.onQuery?.(sql);
    await connection.query(sql);
  }

  #newSession(): Session {
    const session = new Session(this.schema, this.onQuery);
    this.#all.push(session);
    return session;
  }
}

/** A Prisma client bound to whichever connection the current transaction holds. */
class Session {
  #connection: pg.PoolClient | undefined;
  #closed: Error = new Error("used outside its transaction");
  readonly prisma: PrismaClient;
  readonly tx: Tx;

  constructor(schema: string | undefined, onQuery?: (sql: string) => void) {
    // PrismaPg accepts only a pg.Pool; this one never connects: every query goes to the held connection.
    const pool = new pg.Pool({ max: 1 });
    const route = (...args: unknown[]) => {
      const connection = this.#connection;
      if (!connection) return Promise.reject(this.#closed);
      return (connection.query as (...a: unknown[]) => Promise<unknown>)(...args);
    };
    Object.assign(pool, {
      query: route,
      connect: () => Promise.reject(new Error("no nested transactions in the write path")),
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool, schema ? { schema } : undefined), ...(onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {}) });
    if (onQuery) (prisma as unknown as { $on(e: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
    this.prisma = prisma;
    // Raw statements skip Prisma's engine: the driver's answer as it is (int8 as text, json parsed,
    // timestamps as Date — callers already accept both drivers' shapes, eventstore/read.ts).
    const direct = async (sql: string, values: unknown[]) => {
      onQuery?.(sql);
      const connection = this.#connection;
      if (!connection) throw this.#closed;
      return connection.query(sql, values);
    };
    this.tx = Object.create(prisma, {
      $queryRawUnsafe: { value: async (sql: string, ...values: unknown[]) => (await direct(sql, values)).rows },
      $executeRawUnsafe: { value: async (sql: string, ...values: unknown[]) => (await direct(sql, values)).rowCount ?? 0 },
    }) as Tx;
  }

  open(connection: pg.PoolClient): void {
    this.#connection = connection;
  }

  /** Later statements fail with `reason` (a timed-out body's stragglers, or one used after its transaction). */
  close(reason?: Error): void {
    this.#connection = undefined;
    if (reason) this.#closed = reason;
    else this.#closed = new Error("used outside its transaction");
  }
}

import { randomBytes } from "node:crypto";
import { openDatabase, quoteIdent, type Database, type DatabaseOptions } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";

/**
 * The storage backends every contract suite runs against: embedded PGlite always, real
 * PostgreSQL when DATABASE_URL is set. With IAMGRAPH_REQUIRE_POSTGRES=1 (CI) a missing
 * DATABASE_URL fails the run in global-setup.ts instead of skipping.
 */
export const postgresUrl = process.env.DATABASE_URL || undefined;

export interface TestDatabase extends Database {
  /** Drops what the test created (its PostgreSQL schema) and closes. */
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: "embedded" | "postgres";
  open(options?: Omit<DatabaseOptions, "databaseUrl" | "dataDir" | "schema">): Promise<TestDatabase>;
}

export const embedded: Backend = {
  name: "embedded",
  async open(options = {}) {
    const db = await openDatabase({ ...options, dataDir: "memory://" });
    await migrate(db.sql);
    return { ...db, dispose: () => db.close() };
  },
};

export const postgres: Backend = {
  name: "postgres",
  async open(options = {}) {
    if (!postgresUrl) throw new Error("DATABASE_URL is not set");
    // Each test database is its own schema in the shared server, dropped afterwards.
    const schema = `iamgraph_test_${randomBytes(6).toString("hex")}`;
    const admin = await openDatabase({ databaseUrl: postgresUrl, poolSize: 1 });
    await admin.sql.exec(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await admin.close();
    const db = await openDatabase({ ...options, databaseUrl: postgresUrl, schema });
    await migrate(db.sql);
    return {
      ...db,
      async dispose() {
        await db.sql.exec(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
        await db.close();
      },
    };
  },
};

/** The backends available in this run (PostgreSQL only with DATABASE_URL). */
export const backends: readonly Backend[] = postgresUrl ? [embedded, postgres] : [embedded];

import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Command } from "../../src/app/command.js";
import { loadConfig } from "../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import type { Backend, TestDatabase } from "./databases.js";
import { testEnv } from "./root-key.js";
import { resetDatabase } from "./reset-database.js";

export interface RuntimePerTest {
  /** This test's runtime (a new one each test). */
  readonly app: Iamgraph;
  readonly db: TestDatabase;
  /** Runs commands one by one as `actor`. */
  handle(actor: string, ...commands: Command[]): Promise<void>;
  /** The SQL statements `fn` sends. */
  sqlOf(fn: () => Promise<unknown>): Promise<string[]>;
}

/**
 * Registers a suite's hooks: one database for the suite, every SQL statement recorded, and a
 * fresh runtime over emptied tables per test — the caches under test live in memory and must not
 * outlive the rows they were built from. Call inside a describe.
 */
export function runtimePerTest(backend: Backend): RuntimePerTest {
  let db: TestDatabase | undefined;
  let app: Iamgraph | undefined;
  const statements: string[] = [];
  beforeAll(async () => {
    db = await backend.open({ onQuery: (sql) => statements.push(sql) });
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    await resetDatabase(db!.sql);
    app = await startIamgraph(loadConfig(testEnv), { db: db!, logger: pino({ level: "silent" }) });
  });
  afterEach(async () => {
    await app?.close();
  });
  return {
    get app() {
      return app!;
    },
    get db() {
      return db!;
    },
    async handle(actor, ...commands) {
      for (const command of commands) await app!.commands.handle(command, { actor });
    },
    async sqlOf(fn) {
      statements.length = 0;
      await fn();
      return [...statements];
    },
  };
}

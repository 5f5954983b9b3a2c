import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fromPackageRoot } from "../package-root.js";
import type { SqlRunner } from "./sql-runner.js";

/**
 * Applies prisma/migrations/<name>/migration.sql in order, recording each in Prisma's own
 * `_prisma_migrations` table with Prisma's checksum (sha256 of the file), so the history stays
 * compatible with `prisma migrate deploy` wherever Prisma's native schema engine is available.
 * We apply them ourselves because that engine cannot be downloaded on machines that only reach
 * the npm registry (README: "Migrations").
 */
export const migrationsDir = fromPackageRoot("prisma", "migrations");

// Prisma's migrate lock id, so our migrator and Prisma's never run at once on one database.
const migrateLockId = 72707369;

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function listMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export interface MigrationReport {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

export async function migrate(runner: SqlRunner, log: (msg: string) => void = () => undefined): Promise<MigrationReport> {
  return runner.session((sql) => migrateOn(sql, log));
}

async function migrateOn(sql: SqlRunner, log: (msg: string) => void = () => undefined): Promise<MigrationReport> {
  await sql.exec(`
    CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  await sql.exec(`SELECT pg_advisory_lock(${migrateLockId})`);
  try {
    const rows = await sql.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    for (const m of listMigrations()) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(`Migration ${m.name} was edited after it was applied (checksum differs); add a new migration instead`);
        }
        alreadyApplied.push(m.name);
        continue;
      }
      log(`applying migration ${m.name}`);
      // One transaction per migration: a failing migration leaves no half-applied schema.
      await sql.exec(`BEGIN;\n${m.sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
        VALUES ('${randomUUID()}', '${m.checksum}', now(), '${m.name.replace(/'/g, "''")}', 1);\nCOMMIT;`).catch(async (err: unknown) => {
        await sql.exec("ROLLBACK").catch(() => undefined);
        throw err;
      });
      applied.push(m.name);
    }
  } finally {
    await sql.exec(`SELECT pg_advisory_unlock(${migrateLockId})`);
  }
  return { applied, alreadyApplied };
}

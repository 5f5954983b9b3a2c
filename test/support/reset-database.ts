import type { SqlRunner } from "../../src/db/sql-runner.js";

/**
 * Empties every table the migrations created (not the migration history), so tests sharing one
 * database each start from nothing. Lists the tables rather than naming them, so new read models
 * are emptied too.
 */
export async function resetDatabase(sql: SqlRunner): Promise<void> {
  const tables = await sql.query<{ name: string }>(
    `SELECT format('%I', table_name) AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  if (tables.length > 0) await sql.exec(`TRUNCATE ${tables.map((t) => t.name).join(", ")} RESTART IDENTITY CASCADE`);
}

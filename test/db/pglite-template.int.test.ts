import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataDirLocked } from "../../src/db/data-dir-lock.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { initdbTemplate, writeInitdbTemplate } from "../../src/db/pglite-template.js";
import type { SqlRunner } from "../../src/db/sql-runner.js";
import { catalogFromDatabase } from "./schema-catalog.js";

// A new embedded store loads the data dir PGlite's initdb made at build time instead of running
// initdb (src/db/pglite-template.ts). It must be the store initdb would have made: same
// databases, encodings, settings and system catalogue, migrated to the same schema, on disk and
// locked like any other.

async function describeStore(sql: SqlRunner) {
  const settings = await sql.query(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_encoding','lc_messages','lc_monetary','lc_numeric','lc_time','TimeZone','DateStyle','shared_buffers','data_checksums','max_connections','wal_level','standard_conforming_strings') ORDER BY name`,
  );
  const databases = await sql.query(`SELECT datname, pg_encoding_to_char(encoding) AS encoding, datcollate, datctype, datlocprovider, datistemplate FROM pg_database ORDER BY datname`);
  const catalogue = await sql.query(
    `SELECT n.nspname, c.relkind, count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const objects = await sql.query(`SELECT (SELECT count(*) FROM pg_proc)::int AS procs, (SELECT count(*) FROM pg_type)::int AS types, (SELECT count(*) FROM pg_collation)::int AS collations, (SELECT count(*) FROM pg_extension)::int AS extensions`);
  const roles = await sql.query(`SELECT rolname, rolsuper FROM pg_roles ORDER BY rolname`);
  return { settings, databases, catalogue, objects, roles };
}

const systemId = async (sql: SqlRunner) => (await sql.query<{ id: string }>(`SELECT system_identifier::text AS id FROM pg_control_system()`))[0]!.id;

async function withInitdb<T>(fn: () => Promise<T>): Promise<T> {
  process.env.IAMGRAPH_PGLITE_TEMPLATE = "off";
  try {
    return await fn();
  } finally {
    delete process.env.IAMGRAPH_PGLITE_TEMPLATE;
  }
}

describe("a new embedded store from the initdb template", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-template-"));
  const open: Database[] = [];
  beforeAll(async () => {
    // `npm run build` makes it; a checkout tested before its first build makes it here.
    if (!initdbTemplate()) await writeInitdbTemplate();
  }, 120_000);
  afterAll(async () => {
    for (const db of open) await db.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const openStore = async (name: string) => {
    const db = await openDatabase({ dataDir: path.join(dir, name), purpose: "test" });
    open.push(db);
    return db;
  };

  it("is the store initdb makes: databases, encodings, settings, catalogue; and migrates to the same schema", { timeout: 180_000 }, async () => {
    const fromTemplate = await openStore("template");
    const fromInitdb = await withInitdb(() => openStore("initdb"));
    expect(await describeStore(fromTemplate.sql)).toEqual(await describeStore(fromInitdb.sql));
    await migrate(fromTemplate.sql, () => undefined);
    await migrate(fromInitdb.sql, () => undefined);
    const migrated = await catalogFromDatabase(fromTemplate.sql);
    expect(migrated).toEqual(await catalogFromDatabase(fromInitdb.sql));
    expect(await describeStore(fromTemplate.sql)).toEqual(await describeStore(fromInitdb.sql));
  });

  it("is loaded, not initdb'd: two new stores carry the template's system identifier (initdb gives each its own)", { timeout: 180_000 }, async () => {
    const a = await openStore("a");
    const b = await openStore("b");
    expect(await systemId(a.sql)).toBe(await systemId(b.sql));
    const c = await withInitdb(() => openStore("c"));
    expect(await systemId(c.sql)).not.toBe(await systemId(a.sql));
  });

  it("lives on disk like any store: locked while open, resumed (not reloaded) on reopen with what was written", { timeout: 180_000 }, async () => {
    const dataDir = path.join(dir, "disk");
    const db = await openDatabase({ dataDir, purpose: "test" });
    try {
      await db.sql.exec(`CREATE TABLE marker (n int); INSERT INTO marker VALUES (7)`);
      await expect(openDatabase({ dataDir, purpose: "second" })).rejects.toBeInstanceOf(DataDirLocked);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ dataDir, purpose: "test" });
    try {
      expect(await again.sql.query<{ n: number }>(`SELECT n FROM marker`)).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it("an in-memory store starts from it too", { timeout: 120_000 }, async () => {
    const db = await openDatabase({ dataDir: "memory://" });
    open.push(db);
    const fromDisk = await openStore("memory-ref");
    expect(await systemId(db.sql)).toBe(await systemId(fromDisk.sql));
    expect(await describeStore(db.sql)).toEqual(await describeStore(fromDisk.sql));
  });
});

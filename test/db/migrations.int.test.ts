import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations, migrate } from "../../src/db/migrate.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { getDmmf } from "../support/prisma-dmmf.js";
import { catalogFromDatabase, catalogFromPrisma, diffCatalogs } from "./schema-catalog.js";

const schemaPath = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));

describe.each(backends)("migrations on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open(); // migrated from scratch
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("build exactly the schema that schema.prisma declares (tables, columns, keys, indexes, foreign keys)", async () => {
    const drift = diffCatalogs(catalogFromPrisma(getDmmf(schemaPath)), await catalogFromDatabase(db.sql));
    expect(drift, `schema.prisma and prisma/migrations disagree:\n  ${drift.join("\n  ")}`).toEqual([]);
  });

  it("are recorded in _prisma_migrations with Prisma's checksum (sha256 of the file)", async () => {
    const rows = await db.sql.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    expect(rows).toEqual(listMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
  });

  it("apply nothing the second time", async () => {
    const report = await migrate(db.sql);
    expect(report).toEqual({ applied: [], alreadyApplied: listMigrations().map((m) => m.name) });
  });

  it("refuse to run when an applied migration was edited afterwards (its checksum changed)", async () => {
    const [first] = listMigrations();
    // Recording a different checksum is the same, to the migrator, as the file changing since.
    await db.sql.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, ["0".repeat(64), first!.name]);
    try {
      await expect(migrate(db.sql)).rejects.toThrow(
        `Migration ${first!.name} was edited after it was applied (checksum differs); add a new migration instead`,
      );
    } finally {
      await db.sql.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [first!.checksum, first!.name]);
    }
  });

  it("drift is named exactly: an extra column, a changed nullability and a missing index", async () => {
    // The drift check itself must have teeth: change the migrated database (in a transaction on
    // one connection, rolled back afterwards) and read the report.
    const drift = await db.sql.session(async (sql) => {
      await sql.exec(`BEGIN;
        ALTER TABLE users ADD COLUMN nickname text;
        ALTER TABLE groups ALTER COLUMN path DROP NOT NULL;
        DROP INDEX events_type_idx;
        ALTER TABLE group_memberships DROP CONSTRAINT group_memberships_group_id_fkey;
        ALTER TABLE group_memberships ADD CONSTRAINT group_memberships_group_id_fkey FOREIGN KEY (group_id) REFERENCES groups(id);
        CREATE TABLE scratch (id int);`);
      try {
        return diffCatalogs(catalogFromPrisma(getDmmf(schemaPath)), await catalogFromDatabase(sql));
      } finally {
        await sql.exec("ROLLBACK");
      }
    });
    expect(drift).toEqual([
      "column groups.path: schema.prisma says text NOT NULL; the migrations give text NULL",
      "column scratch.id (integer NULL) exists after migrating but schema.prisma does not declare it",
      "column users.nickname (text NULL) exists after migrating but schema.prisma does not declare it",
      "foreign key group_memberships_group_id_fkey: schema.prisma says group_memberships(group_id) → groups(id) ON DELETE CASCADE ON UPDATE CASCADE; the migrations give group_memberships(group_id) → groups(id) ON DELETE NO ACTION ON UPDATE NO ACTION",
      "index events_type_idx (index on events(type)) is in schema.prisma but no migration creates it",
      "table scratch (a table) exists after migrating but schema.prisma does not declare it",
    ]);
    expect(diffCatalogs(catalogFromPrisma(getDmmf(schemaPath)), await catalogFromDatabase(db.sql))).toEqual([]);
  });
});

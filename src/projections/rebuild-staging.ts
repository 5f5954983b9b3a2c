import { createHash } from "node:crypto";
import { quoteIdent as q } from "../db/database.js";
import type { MemTable, Row } from "./rebuild-model.js";

/**
 * The staging side of a blue/green rebuild: a schema next to the live one holding fresh copies
 * of the rebuilt tables, loaded in bulk, then moved into the live schema in one transaction.
 *
 * Why schemas and ALTER TABLE … SET SCHEMA: Prisma qualifies every table with the live schema
 * name, so the only thing it can be switched over to is a table that *becomes* that name. Moving
 * a table between schemas is a catalog update that is transactional (PostgreSQL and PGlite), keeps
 * the table's indexes and constraints with their names, and is seen by the next statement of
 * every session once it commits (cached plans are re-planned on the catalog change).
 */

/** Runs one statement: a pooled connection, or the switch transaction. */
export type Exec = (sql: string, params?: unknown[]) => Promise<unknown>;
export type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

export function stagingSchema(live: string, projections: readonly string[]): string {
  const id = createHash("sha1").update([...projections].sort().join(",")).digest("hex").slice(0, 8);
  const name = `${live}__rb_${id}`;
  if (name.length + "__old".length > 63) throw new Error(`schema name ${live} is too long to stage a rebuild next to it`);
  return name;
}

export const oldSchema = (staging: string) => `${staging}__old`;
export const stagingPrefix = (live: string) => `${live}__rb_`;

const stateTable = "rebuild_state";

/** Staging schemas next to `live` (not the __old ones), with what their state table says. */
export async function listStaging(query: Query, live: string): Promise<{ schema: string; state: StagingState | undefined }[]> {
  const prefix = stagingPrefix(live);
  const schemas = await query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE left(nspname, length($1)) = $1 AND right(nspname, 5) <> '__old' ORDER BY nspname`,
    [prefix],
  );
  const out = [];
  for (const { nspname } of schemas) {
    const exists = await query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`${q(nspname)}.${stateTable}`]);
    const state = exists[0]?.t ? (await query<StagingState>(`SELECT projections, phase, done::float8 AS done, total::float8 AS total, pid, started_at AS "startedAt", updated_at AS "updatedAt" FROM ${q(nspname)}.${stateTable}`))[0] : undefined;
    out.push({ schema: nspname, state });
  }
  return out;
}

export interface StagingState {
  readonly projections: string[];
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly pid: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

export async function dropSchema(exec: Exec, schema: string): Promise<void> {
  await exec(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
}

/** Empty copies of the live tables (columns, types, defaults; no keys yet: they load faster without). */
export async function createStaging(exec: Exec, live: string, staging: string, tables: readonly string[], projections: readonly string[]): Promise<void> {
  await exec(`CREATE SCHEMA ${q(staging)}`);
  for (const t of tables) await exec(`CREATE TABLE ${q(staging)}.${q(t)} (LIKE ${q(live)}.${q(t)} INCLUDING DEFAULTS)`);
  await exec(
    `CREATE TABLE ${q(staging)}.${stateTable} (projections text[] NOT NULL, phase text NOT NULL, done bigint NOT NULL, total bigint NOT NULL,
       pid int NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`,
  );
  await exec(`INSERT INTO ${q(staging)}.${stateTable} (projections, phase, done, total, pid) VALUES ($1::text[], 'replay', 0, 0, $2)`, [projections, process.pid]);
}

export async function recordProgress(exec: Exec, staging: string, phase: string, done: number, total: number): Promise<void> {
  await exec(`UPDATE ${q(staging)}.${stateTable} SET phase = $1, done = $2, total = $3, updated_at = now()`, [phase, done, total]);
}

const rowsPerStatement = 5000;

/** INSERTs rows in statements of a few thousand, each one JSON parameter. */
export async function insertRows(exec: Exec, schema: string, table: string, rows: readonly Row[]): Promise<void> {
  const target = `${q(schema)}.${q(table)}`;
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const json = JSON.stringify(rows.slice(i, i + rowsPerStatement));
    await exec(`INSERT INTO ${target} SELECT * FROM json_populate_recordset(NULL::${target}, $1::json)`, [json]);
  }
}

interface Constraint {
  readonly name: string;
  readonly type: string;
  readonly def: string;
  readonly table: string;
  readonly ref: string | null;
}

/** The keys, checks and foreign keys on or referencing `tables` in `schema`. */
async function constraintsOf(query: Query, schema: string, tables: readonly string[]): Promise<Constraint[]> {
  return query<Constraint>(
    `SELECT c.conname AS name, c.contype::text AS type, pg_get_constraintdef(c.oid) AS def, src.relname AS "table", ref.relname AS ref
       FROM pg_constraint c
       JOIN pg_class src ON src.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = src.relnamespace
       LEFT JOIN pg_class ref ON ref.oid = c.confrelid
      WHERE n.nspname = $1 AND (src.relname = ANY($2::text[]) OR ref.relname = ANY($2::text[]))
      ORDER BY c.contype DESC, c.conname`, // p, u before f: a foreign key needs the referenced key
    [schema, tables],
  );
}

/** A foreign key's definition pointing at `schema`.`ref`. */
function foreignKeyTo(c: Constraint, schema: string): string {
  return c.def.replace(/REFERENCES\s+(?:(?:"[^"]+"|[\w$]+)\.)?(?:"[^"]+"|[\w$]+)\(/, `REFERENCES ${q(schema)}.${q(c.ref!)}(`);
}

/**
 * After the bulk load: the live tables' primary keys, unique and check constraints, indexes and
 * the foreign keys between rebuilt tables, under the same names, then fresh statistics. Done
 * before the switch, so the switch itself validates nothing but foreign keys crossing between
 * rebuilt and live tables.
 */
export async function finishStaging(exec: Exec, query: Query, live: string, staging: string, tables: readonly string[]): Promise<void> {
  const inSet = new Set(tables);
  for (const c of await constraintsOf(query, live, tables)) {
    if (!inSet.has(c.table)) continue;
    if (c.type === "f" && !inSet.has(c.ref!)) continue; // crosses to a live table: added at the switch
    const def = c.type === "f" ? foreignKeyTo(c, staging) : c.def;
    await exec(`ALTER TABLE ${q(staging)}.${q(c.table)} ADD CONSTRAINT ${q(c.name)} ${def}`);
  }
  const indexes = await query<{ table: string; def: string }>(
    `SELECT t.relname AS "table", pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))`,
    [live, tables],
  );
  for (const i of indexes) await exec(i.def.replace(/\sON\s+(ONLY\s+)?\S+\s+USING\s/, ` ON ${q(staging)}.${q(i.table)} USING `));
  for (const t of tables) await exec(`ANALYZE ${q(staging)}.${q(t)}`);
}

/**
 * Writes the rows the fold touched since the last flush: upserts (parents first) for the rows
 * that exist, deletes (children first) for those that do not. Upserts, not delete-and-insert,
 * because deleting a parent would cascade to children that are not being rewritten.
 */
export async function flushDirty(exec: Exec, query: Query, staging: string, tables: readonly MemTable[]): Promise<number> {
  let written = 0;
  for (const t of tables) {
    const present = [...t.dirty!.keys()].filter((k) => t.rows.has(k)).map((k) => t.rows.get(k)!);
    if (present.length === 0) continue;
    const columns = await query<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [staging, t.name],
    );
    const set = columns.filter((c) => !t.primaryKey.includes(c.c)).map((c) => `${q(c.c)} = EXCLUDED.${q(c.c)}`);
    const target = `${q(staging)}.${q(t.name)}`;
    for (let i = 0; i < present.length; i += rowsPerStatement) {
      await exec(
        `INSERT INTO ${target} SELECT * FROM json_populate_recordset(NULL::${target}, $1::json)
         ON CONFLICT (${t.primaryKey.map(q).join(", ")}) ${set.length > 0 ? `DO UPDATE SET ${set.join(", ")}` : "DO NOTHING"}`,
        [JSON.stringify(present.slice(i, i + rowsPerStatement))],
      );
    }
    written += present.length;
  }
  for (const t of [...tables].reverse()) {
    const gone = [...t.dirty!].filter(([k]) => !t.rows.has(k)).map(([, row]) => row);
    if (gone.length === 0) continue;
    const target = `${q(staging)}.${q(t.name)}`;
    const match = t.primaryKey.map((c) => `t.${q(c)} = d.${q(c)}`).join(" AND ");
    for (let i = 0; i < gone.length; i += rowsPerStatement) {
      await exec(`DELETE FROM ${target} t USING json_populate_recordset(NULL::${target}, $1::json) d WHERE ${match}`, [JSON.stringify(gone.slice(i, i + rowsPerStatement))]);
    }
    written += gone.length;
  }
  for (const t of tables) t.dirty!.clear();
  return written;
}

/**
 * The switch, inside the caller's transaction (which holds the write lock): the live tables move
 * to an __old schema and the staged ones take their place; foreign keys between a rebuilt table
 * and a table that is not rebuilt (group_memberships → groups when only groups is rebuilt, or a
 * non-projection table such as access_key_credentials referencing a projection) are re-created
 * against the new table, under their names. The old tables stay until the caller drops __old
 * after the commit; a failure anywhere rolls the whole switch back.
 */
export async function switchTables(exec: Exec, query: Query, live: string, staging: string, tables: readonly string[]): Promise<void> {
  const inSet = new Set(tables);
  const crossing = (await constraintsOf(query, live, tables)).filter((c) => c.type === "f" && inSet.has(c.table) !== inSet.has(c.ref!));
  for (const c of crossing) if (!inSet.has(c.table)) await exec(`ALTER TABLE ${q(live)}.${q(c.table)} DROP CONSTRAINT ${q(c.name)}`);
  const old = oldSchema(staging);
  await exec(`CREATE SCHEMA ${q(old)}`);
  for (const t of tables) await exec(`ALTER TABLE ${q(live)}.${q(t)} SET SCHEMA ${q(old)}`);
  for (const t of tables) await exec(`ALTER TABLE ${q(staging)}.${q(t)} SET SCHEMA ${q(live)}`);
  for (const c of crossing) await exec(`ALTER TABLE ${q(live)}.${q(c.table)} ADD CONSTRAINT ${q(c.name)} ${foreignKeyTo(c, live)}`);
}

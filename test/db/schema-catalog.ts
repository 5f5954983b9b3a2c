import type { SqlRunner } from "../../src/db/sql-runner.js";
import type { Dmmf, DmmfField, DmmfModel } from "../support/prisma-dmmf.js";

/**
 * A schema flattened to `thing → description`, so the Prisma schema and a migrated database can
 * be compared entry by entry and every difference named in one line.
 * Keys: `table t`, `column t.c`, `index name`, `foreign key name`.
 */
export type Catalog = Map<string, string>;

// ── what schema.prisma says ──────────────────────────────────────────────────────────────────

const scalarTypes: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Json: "jsonb",
  Float: "double precision",
};

function columnType(field: DmmfField): string {
  if (field.type === "DateTime") {
    // Prisma's default for DateTime on PostgreSQL is timestamp(3) without time zone.
    const [native, args] = field.nativeType ?? ["Timestamp", ["3"]];
    const zone = native === "Timestamptz" ? "with" : "without";
    return `timestamp(${args[0] ?? "6"}) ${zone} time zone`;
  }
  if (field.nativeType) return `@db.${field.nativeType[0]}(${field.nativeType[1].join(",")}) (not mapped by this test yet)`;
  return scalarTypes[field.type] ?? `${field.type} (not mapped by this test yet)`;
}

const onAction: Record<string, string> = { Cascade: "CASCADE", Restrict: "RESTRICT", NoAction: "NO ACTION", SetNull: "SET NULL", SetDefault: "SET DEFAULT" };

export function catalogFromPrisma(dmmf: Dmmf): Catalog {
  const catalog: Catalog = new Map();
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const table = (m: DmmfModel) => m.dbName ?? m.name;
  const column = (m: DmmfModel, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName)!;
    return f.dbName ?? f.name;
  };

  for (const model of dmmf.datamodel.models) {
    const t = table(model);
    catalog.set(`table ${t}`, `model ${model.name}`);
    for (const field of model.fields.filter((f) => f.kind === "scalar")) {
      const hasDefault = field.hasDefaultValue && !field.isUpdatedAt;
      catalog.set(`column ${t}.${field.dbName ?? field.name}`, columnDescription(columnType(field), !field.isRequired, hasDefault));
    }
    for (const field of model.fields.filter((f) => f.kind === "object" && (f.relationFromFields?.length ?? 0) > 0)) {
      const target = models.get(field.type)!;
      const from = field.relationFromFields!.map((n) => column(model, n));
      const to = field.relationToFields!.map((n) => column(target, n));
      const optional = field.relationFromFields!.some((n) => !model.fields.find((x) => x.name === n)!.isRequired);
      // Prisma's referential-action defaults: onDelete Restrict (SetNull if optional), onUpdate Cascade.
      const onDelete = onAction[field.relationOnDelete ?? (optional ? "SetNull" : "Restrict")];
      const onUpdate = onAction[field.relationOnUpdate ?? "Cascade"];
      catalog.set(`foreign key ${t}_${from.join("_")}_fkey`, foreignKeyDescription(t, from, table(target), to, onDelete!, onUpdate!));
    }
  }
  for (const index of dmmf.datamodel.indexes) {
    const model = models.get(index.model)!;
    const t = table(model);
    const columns = index.fields.map((f) => column(model, f.name));
    const suffix = { id: "pkey", unique: "key", normal: "idx", fulltext: "idx" }[index.type];
    const name = index.dbName ?? (index.type === "id" ? `${t}_pkey` : `${t}_${columns.join("_")}_${suffix}`);
    const kind = { id: "primary key", unique: "unique index", normal: "index", fulltext: "fulltext index" }[index.type];
    catalog.set(`index ${name}`, indexDescription(kind, t, columns));
  }
  return catalog;
}

// ── what the migrated database has ───────────────────────────────────────────────────────────

/** Prisma's own bookkeeping table, which no model describes. */
export const migrationsTable = "_prisma_migrations";

export async function catalogFromDatabase(sql: SqlRunner): Promise<Catalog> {
  const catalog: Catalog = new Map();
  const tables = await sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1`,
    [migrationsTable],
  );
  for (const { table_name } of tables) catalog.set(`table ${table_name}`, "a table");

  const columns = await sql.query<{ table_name: string; column_name: string; type: string; is_nullable: string; column_default: string | null }>(
    `SELECT c.table_name, c.column_name, c.is_nullable, c.column_default,
            format_type(a.atttypid, a.atttypmod) AS type
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
      WHERE c.table_schema = current_schema() AND c.table_name <> $1`,
    [migrationsTable],
  );
  for (const c of columns) {
    catalog.set(`column ${c.table_name}.${c.column_name}`, columnDescription(c.type, c.is_nullable === "YES", c.column_default !== null));
  }

  const indexes = await sql.query<{ table_name: string; index_name: string; is_primary: boolean; is_unique: boolean; columns: string }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, x.indisprimary AS is_primary, x.indisunique AS is_unique,
            (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
       FROM pg_index x
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname <> $1`,
    [migrationsTable],
  );
  for (const x of indexes) {
    const kind = x.is_primary ? "primary key" : x.is_unique ? "unique index" : "index";
    catalog.set(`index ${x.index_name}`, indexDescription(kind, x.table_name, x.columns.split(",")));
  }

  const foreignKeys = await sql.query<{ name: string; from_table: string; from_columns: string; to_table: string; to_columns: string; on_delete: string; on_update: string }>(
    `SELECT c.conname AS name, f.relname AS from_table, r.relname AS to_table,
            (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS from_columns,
            (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS to_columns,
            c.confdeltype AS on_delete, c.confupdtype AS on_update
       FROM pg_constraint c
       JOIN pg_class f ON f.oid = c.conrelid
       JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = f.relnamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  const action: Record<string, string> = { c: "CASCADE", r: "RESTRICT", a: "NO ACTION", n: "SET NULL", d: "SET DEFAULT" };
  for (const fk of foreignKeys) {
    catalog.set(
      `foreign key ${fk.name}`,
      foreignKeyDescription(fk.from_table, fk.from_columns.split(","), fk.to_table, fk.to_columns.split(","), action[fk.on_delete]!, action[fk.on_update]!),
    );
  }
  return catalog;
}

// ── shared spelling and the diff ─────────────────────────────────────────────────────────────

function columnDescription(type: string, nullable: boolean, hasDefault: boolean): string {
  return `${type} ${nullable ? "NULL" : "NOT NULL"}${hasDefault ? " with a default" : ""}`;
}

function indexDescription(kind: string, table: string, columns: readonly string[]): string {
  return `${kind} on ${table}(${columns.join(", ")})`;
}

function foreignKeyDescription(from: string, fromColumns: readonly string[], to: string, toColumns: readonly string[], onDelete: string, onUpdate: string): string {
  return `${from}(${fromColumns.join(", ")}) → ${to}(${toColumns.join(", ")}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`;
}

/** One line per difference, saying which side has what. Empty when they agree. */
export function diffCatalogs(prisma: Catalog, database: Catalog): string[] {
  const drift: string[] = [];
  for (const [key, expected] of prisma) {
    const actual = database.get(key);
    if (actual === undefined) drift.push(`${key} (${expected}) is in schema.prisma but no migration creates it`);
    else if (!key.startsWith("table ") && actual !== expected) drift.push(`${key}: schema.prisma says ${expected}; the migrations give ${actual}`);
  }
  for (const [key, actual] of database) {
    if (!prisma.has(key)) drift.push(`${key} (${actual}) exists after migrating but schema.prisma does not declare it`);
  }
  return drift.sort();
}

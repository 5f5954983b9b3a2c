import type { Projection, Read, Row, RowOp, Where } from "./projection.js";
import { tables, type TableName } from "./tables.js";

export type { Row } from "./projection.js";

/**
 * The in-memory interpreter of projections (projection.ts), for rebuilds: the read-model tables
 * held in memory while the log is folded, then written in bulk (rebuild.ts). Rows are keyed by
 * column name exactly as in PostgreSQL, so they go to the database as JSON through
 * `json_populate_recordset` with no per-table column list to keep in step with the migrations.
 */
export class MemTable {
  readonly rows = new Map<string, Row>();
  /** Rows touched since tracking started, by key, each with its primary key columns (catch-up
   * writes only these); undefined = not tracking. */
  dirty: Map<string, Row> | undefined;
  readonly primaryKey: readonly string[];
  readonly #lookups: { columns: readonly string[]; keys: Map<string, Set<string>> }[];

  constructor(readonly name: TableName) {
    this.primaryKey = tables[name].primaryKey;
    this.#lookups = tables[name].lookups.map((columns) => ({ columns, keys: new Map() }));
  }

  keyOf(row: Row): string {
    return this.primaryKey.map((c) => String(row[c])).join("\u0000");
  }

  /** INSERT, or replace the row with the same key. */
  put(row: Row): void {
    const key = this.keyOf(row);
    const old = this.rows.get(key);
    if (old) this.#unindex(key, old);
    this.rows.set(key, row);
    for (const index of this.#lookups) {
      const value = valueOf(index.columns, row);
      let set = index.keys.get(value);
      if (!set) index.keys.set(value, (set = new Set()));
      set.add(key);
    }
    this.dirty?.set(key, row);
  }

  /** The rows matching `where` (a copy: callers may change the table while iterating). */
  find(where: Where): Row[] {
    const columns = Object.keys(where);
    if (this.primaryKey.every((c) => c in where)) {
      const row = this.rows.get(this.keyOf(where));
      return row && matches(row, where, columns) ? [row] : [];
    }
    const index = this.#lookups.find((l) => l.columns.every((c) => c in where));
    if (!index) throw new Error(`${this.name} has no lookup by ${columns.join(", ")} (src/projections/tables.ts)`);
    const keys = index.keys.get(valueOf(index.columns, where));
    if (!keys) return [];
    const out: Row[] = [];
    for (const k of keys) {
      const row = this.rows.get(k)!;
      if (matches(row, where, columns)) out.push(row);
    }
    return out;
  }

  perform(op: RowOp): void {
    switch (op.op) {
      case "insert":
        if (!this.rows.has(this.keyOf(op.row))) this.put(op.row);
        return;
      case "upsert":
        this.put(op.row);
        return;
      case "update":
        for (const row of this.find(op.where)) this.put({ ...row, ...op.set });
        return;
      case "delete":
        for (const row of this.find(op.where)) this.deleteKey(this.keyOf(row));
        return;
    }
  }

  deleteKey(key: string): void {
    const old = this.rows.get(key);
    if (!old) return;
    this.#unindex(key, old);
    this.rows.delete(key);
    this.dirty?.set(key, old);
  }

  #unindex(key: string, row: Row): void {
    for (const index of this.#lookups) {
      const value = valueOf(index.columns, row);
      const set = index.keys.get(value);
      set?.delete(key);
      if (set?.size === 0) index.keys.delete(value);
    }
  }
}

const valueOf = (columns: readonly string[], row: Row) => (columns.length === 1 ? String(row[columns[0]!]) : columns.map((c) => String(row[c])).join("\u0000"));
const matches = (row: Row, where: Where, columns: readonly string[]) => columns.every((c) => String(row[c]) === where[c]);

/** Every built-in read model, in the order a parent comes before the tables referencing it. */
export function emptyModel(): ReadModel {
  return Object.fromEntries((Object.keys(tables) as TableName[]).map((t) => [t, new MemTable(t)])) as ReadModel;
}

export type ReadModel = Record<TableName, MemTable>;

/** Folds one event into the model, as the inline writer would into the tables. */
export function applyInMemory(model: ReadModel, projection: Projection, event: Parameters<Projection["apply"]>[0]): void {
  const reads: readonly Read[] = projection.reads?.(event) ?? [];
  const rows = reads.map((r) => model[r.table].find(r.where));
  for (const op of projection.apply(event, rows)) model[op.table].perform(op);
}

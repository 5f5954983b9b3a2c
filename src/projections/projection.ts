import type { Tx } from "../db/transaction.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { TableName } from "./tables.js";

/**
 * How a read model is written — once, as pure functions, run by every interpreter:
 *   - the inline SQL writer (sql-writer.ts), in the command's transaction;
 *   - the in-memory rebuild (memory-tables.ts, rebuild.ts);
 *   - a projection worker fed from Kafka (it needs only `reads`, `apply` and the two
 *     interpreters' contract below).
 *
 * For each event a projection handles: `reads(event)` names the rows it needs (equality lookups
 * on one table each), the interpreter fetches them, and `apply(event, rows)` returns the row
 * operations, which the interpreter performs in order. Both functions are pure and synchronous:
 * no I/O, no clock, nothing but the event and the rows.
 *
 * Every operation is idempotent (an event replayed leaves the same rows), so an interpreter may
 * run an event twice after a crash; the checkpoint (inline-projector.ts) is what keeps that rare.
 *
 * Rows use PostgreSQL's column names (snake_case) and JSON-compatible values: timestamps as ISO
 * strings, booleans, numbers, null. An `insert`/`upsert` row holds every column of its table.
 */
export interface Projection {
  readonly name: string;
  /** Event types this projection reads; others are skipped without a call. */
  readonly handles: ReadonlySet<string>;
  /** Its tables, parents first (a rebuild replaces exactly these). */
  readonly tables: readonly TableName[];
  /** The rows `apply` needs for this event; omitted or [] when it needs none. */
  reads?(event: StoredEvent): readonly Read[];
  /** rows[i] answers reads(event)[i]. */
  apply(event: StoredEvent, rows: readonly (readonly Row[])[]): readonly RowOp[];
}

export type Row = Record<string, unknown>;

/** Equality on each column given (AND); only text columns are matched on. */
export type Where = Readonly<Record<string, string>>;

/**
 * SELECT * FROM table WHERE where. Only the text columns of the answer are to be relied on:
 * the SQL interpreter returns other types as JSON renders them.
 */
export interface Read {
  readonly table: TableName;
  readonly where: Where;
}

export type RowOp =
  /** INSERT … ON CONFLICT DO NOTHING: an existing row is left as it is. */
  | { readonly op: "insert"; readonly table: TableName; readonly row: Row }
  /** INSERT … ON CONFLICT (primary key) DO UPDATE: the row replaces one with the same key. */
  | { readonly op: "upsert"; readonly table: TableName; readonly row: Row }
  /** UPDATE table SET set WHERE where; nothing when no row matches. */
  | { readonly op: "update"; readonly table: TableName; readonly where: Where; readonly set: Row }
  /** DELETE FROM table WHERE where. Children are deleted by their own ops, not by cascades. */
  | { readonly op: "delete"; readonly table: TableName; readonly where: Where };

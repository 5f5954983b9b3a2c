import type { StoredEvent } from "../eventstore/stored-event.js";
import type { Tx } from "../db/transaction.js";
import type { Projection, Read, Row, RowOp, Where } from "./projection.js";
import { tables } from "./tables.js";

/**
 * The inline interpreter of projections (projection.ts): runs an event's reads and row
 * operations as SQL in the caller's transaction. Rows travel as one JSON parameter and become
 * typed records through `json_populate_record(set)`, so no column types are restated here; the
 * reads of one event are one round trip, and consecutive inserts (or upserts) into one table one
 * statement.
 */
export async function applyInline(tx: Tx, projection: Projection, event: StoredEvent): Promise<void> {
  const reads = projection.reads?.(event) ?? [];
  const rows = reads.length > 0 ? await readRows(tx, reads) : [];
  const ops = projection.apply(event, rows);
  for (let i = 0; i < ops.length; ) {
    const op = ops[i]!;
    if (op.op === "insert" || op.op === "upsert") {
      let j = i + 1;
      while (j < ops.length && ops[j]!.op === op.op && ops[j]!.table === op.table) j++;
      await writeRows(tx, op.op, op.table, ops.slice(i, j).map((o) => (o as { row: Row }).row));
      i = j;
      continue;
    }
    if (op.op === "update") await update(tx, op);
    else await remove(tx, op);
    i++;
  }
}

async function readRows(tx: Tx, reads: readonly Read[]): Promise<Row[][]> {
  const params: string[] = [];
  const selects = reads.map((r, i) => `SELECT ${i} AS i, row_to_json(t)::text AS r FROM ${r.table} t WHERE ${conditions("t", r.where, params)}`);
  const answer = await tx.$queryRawUnsafe<{ i: number; r: string }[]>(selects.join(" UNION ALL "), ...params);
  const out: Row[][] = reads.map(() => []);
  for (const { i, r } of answer) out[Number(i)]!.push(JSON.parse(r) as Row);
  return out;
}

function conditions(alias: string, where: Where, params: string[]): string {
  const columns = Object.keys(where);
  if (columns.length === 0) throw new Error("a projection's read, update or delete must name the rows it touches");
  return columns.map((c) => `${alias}.${c} = $${params.push(where[c]!)}`).join(" AND ");
}

async function writeRows(tx: Tx, op: "insert" | "upsert", table: keyof typeof tables, rows: Row[]): Promise<void> {
  const key = tables[table].primaryKey as readonly string[];
  let conflict = "ON CONFLICT DO NOTHING";
  if (op === "upsert") {
    // One statement may not update a row twice: the last row for a key wins, as it would one by one.
    rows = [...new Map(rows.map((r) => [key.map((c) => String(r[c])).join("\u0000"), r])).values()];
    const set = Object.keys(rows[0]!).filter((c) => !key.includes(c));
    conflict = `ON CONFLICT (${key.join(", ")}) ${set.length > 0 ? `DO UPDATE SET ${set.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}` : "DO NOTHING"}`;
  }
  await tx.$executeRawUnsafe(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json) ${conflict}`, JSON.stringify(rows));
}

async function update(tx: Tx, op: Extract<RowOp, { op: "update" }>): Promise<void> {
  const params: string[] = [JSON.stringify(op.set)];
  const set = Object.keys(op.set).map((c) => `${c} = v.${c}`).join(", ");
  await tx.$executeRawUnsafe(`UPDATE ${op.table} t SET ${set} FROM json_populate_record(NULL::${op.table}, $1::json) v WHERE ${conditions("t", op.where, params)}`, ...params);
}

async function remove(tx: Tx, op: Extract<RowOp, { op: "delete" }>): Promise<void> {
  const params: string[] = [];
  await tx.$executeRawUnsafe(`DELETE FROM ${op.table} t WHERE ${conditions("t", op.where, params)}`, ...params);
}

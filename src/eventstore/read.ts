import { upcastEvent } from "../../events/catalogue.js";
import type { EventMetadata, StoredEvent } from "./stored-event.js";

/** Anything that can run a raw query: the Prisma client or one of its transactions. */
export interface RawQueryable {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** An `events` row as the drivers return it. */
export interface EventRow {
  position: bigint | number | string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  occurred_at: Date | string;
}

export const eventColumns = `position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

export function toStoredEvent(row: EventRow): StoredEvent {
  const event = upcastEvent(row.type, row.schema_version, parseJson(row.data));
  return {
    ...event,
    position: Number(row.position),
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    schemaVersion: Number(row.schema_version),
    metadata: parseJson(row.metadata) as EventMetadata,
    occurredAt: new Date(row.occurred_at),
  } as StoredEvent;
}

function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

export async function readStream(db: RawQueryable, streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
  const rows = await db.$queryRawUnsafe<EventRow[]>(
    `SELECT ${eventColumns} FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
    streamId,
    afterVersion,
  );
  return rows.map(toStoredEvent);
}

/**
 * Events after a position, in position order. Gap-safe because appends are serialised under
 * the write lock (write-lock.ts): once a position is visible, every smaller committed position is too.
 */
export async function readAll(db: RawQueryable, after: number, limit = 1000): Promise<StoredEvent[]> {
  return (await readAllRows(db, after, limit)).map(toStoredEvent);
}

/** `readAll` as stored rows, not upcast: for whoever passes the log on as it is (the Kafka relay). */
export async function readAllRows(db: RawQueryable, after: number, limit = 1000): Promise<EventRow[]> {
  return db.$queryRawUnsafe<EventRow[]>(`SELECT ${eventColumns} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, after, limit);
}

export async function headPosition(db: RawQueryable): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ head: bigint | number | string | null }[]>(`SELECT max(position) AS head FROM events`);
  return Number(rows[0]?.head ?? 0);
}

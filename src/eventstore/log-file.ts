import { currentSchemaVersion, isEventType, upcastEvent } from "../../events/catalogue.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { projectInline } from "../projections/inline-projector.js";
import { insertStoredEvents, type StoredEventRow } from "./append.js";
import { eventColumns, headPosition, type EventRow } from "./read.js";
import type { EventMetadata, StoredEvent } from "./stored-event.js";
import { takeWriteLock } from "./write-lock.js";

// The log as NDJSON: a header line, one line per event exactly as stored (data at its stored
// schema version, not upcast — an export is a backup, not a view), and a trailer with the count
// and last position, so a file cut anywhere, even at a line boundary, is detected as truncated.

export const logFileFormat = "iamgraph-events";
export const logFileVersion = 1;

/** One event line: the event exactly as stored, position and schema version included. */
export type LogLine = StoredEventRow;


const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

/**
 * One stored event as one line of the log file (without the newline) — also the value of each
 * message the Kafka relay publishes: one shape for every copy of the log that leaves the store.
 */
export function logLineOf(r: EventRow): string {
  const line: LogLine = {
    position: Number(r.position),
    streamId: r.stream_id,
    streamVersion: Number(r.stream_version),
    type: r.type,
    schemaVersion: Number(r.schema_version),
    data: parse(r.data),
    metadata: parse(r.metadata) as EventMetadata,
    occurredAt: new Date(r.occurred_at).toISOString(),
  };
  return JSON.stringify(line);
}

/**
 * Every event up to the head when the export starts, as NDJSON lines (each ending in "\n").
 * The head is fixed first, so events appended meanwhile are left out, never half included:
 * appends are serialised (write-lock.ts), so nothing at or below the head can appear later.
 */
export async function* exportLog(prisma: PrismaClient, onProgress?: (done: number, total: number) => void, pageSize = 5000): AsyncGenerator<string> {
  const head = await headPosition(prisma);
  const total = Number((await prisma.$queryRawUnsafe<{ n: unknown }[]>(`SELECT count(*) AS n FROM events WHERE position <= $1`, head))[0]?.n ?? 0);
  yield `${JSON.stringify({ format: logFileFormat, version: logFileVersion, exportedAt: new Date().toISOString() })}\n`;
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await prisma.$queryRawUnsafe<EventRow[]>(
      `SELECT ${eventColumns}
         FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3`,
      after,
      head,
      pageSize,
    );
    if (rows.length === 0) break;
    let chunk = "";
    for (const r of rows) chunk += `${logLineOf(r)}\n`;
    count += rows.length;
    after = Number(rows.at(-1)!.position);
    onProgress?.(count, total);
    yield chunk;
  }
  yield `${JSON.stringify({ end: true, count, lastPosition: after })}\n`;
}

export class LogFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The log file is not valid; nothing was imported:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ""}`);
  }
}

/** A valid file that this store cannot take: the reason is the store's, not the file's. */
export class ImportRefused extends Error {
  constructor(message: string) {
    super(`${message}; nothing was imported`);
    this.name = "ImportRefused";
  }
}

/**
 * Checks a whole file before anything is written: header, JSON of every line, known types and
 * schema versions (each event's data must read as its type), positions strictly increasing,
 * stream versions contiguous from 1 per stream, and a trailer that matches. Returns the events
 * read as the current shape, ready to project.
 */
export function checkLogFile(text: string): { lines: LogLine[]; events: StoredEvent[] } {
  const problems: string[] = [];
  const raw = text.split("\n");
  if (raw.at(-1) === "") raw.pop();
  else problems.push("the file does not end with a newline (truncated?)");
  const json = raw.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      problems.push(`line ${i + 1}: not valid JSON`);
      return undefined;
    }
  });
  const header = json[0];
  if (header?.format !== logFileFormat || header.version !== logFileVersion) problems.push(`line 1: not an ${logFileFormat} v${logFileVersion} header`);
  const trailer = json.length > 1 ? json.at(-1) : undefined;
  if (trailer?.end !== true) problems.push("the trailer line is missing (truncated?)");
  const lines: LogLine[] = [];
  const events: StoredEvent[] = [];
  const versions = new Map<string, number>();
  let last = 0;
  json.slice(1, trailer?.end === true ? -1 : undefined).forEach((value, i) => {
    const n = i + 2;
    if (!value) return;
    const e = value as unknown as LogLine;
    const m = e.metadata as Partial<EventMetadata> | undefined;
    if (!Number.isSafeInteger(e.position) || e.position <= last) problems.push(`line ${n}: position ${e.position} does not follow ${last}`);
    else last = e.position;
    if (typeof e.streamId !== "string" || !Number.isSafeInteger(e.streamVersion)) {
      problems.push(`line ${n}: missing streamId or streamVersion`);
      return;
    }
    const expected = (versions.get(e.streamId) ?? 0) + 1;
    if (e.streamVersion !== expected) problems.push(`line ${n}: ${e.streamId} version ${e.streamVersion}, expected ${expected}`);
    versions.set(e.streamId, Math.max(expected, e.streamVersion));
    if (!isEventType(e.type)) return void problems.push(`line ${n}: unknown event type ${String(e.type)}`);
    if (!Number.isSafeInteger(e.schemaVersion) || e.schemaVersion < 1 || e.schemaVersion > currentSchemaVersion(e.type)) {
      return void problems.push(`line ${n}: ${e.type} has no schema version ${e.schemaVersion}`);
    }
    if (typeof m?.actor !== "string" || typeof m.accountId !== "string" || typeof m.requestId !== "string" || typeof m.correlationId !== "string") {
      return void problems.push(`line ${n}: metadata needs accountId, actor, requestId and correlationId`);
    }
    const occurredAt = new Date(e.occurredAt);
    if (typeof e.occurredAt !== "string" || Number.isNaN(occurredAt.getTime())) return void problems.push(`line ${n}: occurredAt is not a date`);
    try {
      const current = upcastEvent(e.type, e.schemaVersion, e.data);
      events.push({ ...current, position: e.position, streamId: e.streamId, streamVersion: e.streamVersion, schemaVersion: e.schemaVersion, metadata: m as EventMetadata, occurredAt } as StoredEvent);
      lines.push(e);
    } catch (err) {
      problems.push(`line ${n}: ${e.type} data does not fit its schema: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
    }
  });
  if (trailer?.end === true && (trailer.count !== json.length - 2 || trailer.lastPosition !== last)) {
    problems.push(`trailer says ${String(trailer.count)} events up to ${String(trailer.lastPosition)}; the file holds ${json.length - 2} up to ${last}`);
  }
  if (problems.length > 0) throw new LogFileError(problems);
  return { lines, events };
}

/**
 * Imports a checked file into an empty log in one transaction, then folds it into every
 * projection — all or nothing. Refuses a log that already holds events (merging two logs would
 * need new positions and break the causal order the file records).
 */
export async function importLog(prisma: PrismaClient, text: string, onProgress?: (phase: "insert" | "project", done: number, total: number) => void, batchSize = 1000): Promise<{ imported: number; lastPosition: number }> {
  const { lines, events } = checkLogFile(text);
  await prisma.$transaction(
    async (tx) => {
      await takeWriteLock(tx);
      if ((await headPosition(tx)) > 0) {
        throw new ImportRefused(`The store already holds ${await headPosition(tx)} events: a log is imported only into an empty store (a new IAMGRAPH_DATA_DIR, or an empty DATABASE_URL schema)`);
      }
      for (let i = 0; i < lines.length; i += batchSize) {
        const batch = lines.slice(i, i + batchSize);
        await insertStoredEvents(tx, batch);
        onProgress?.("insert", i + batch.length, lines.length);
      }
      for (let i = 0; i < events.length; i += batchSize) {
        await projectInline(tx, events.slice(i, i + batchSize));
        onProgress?.("project", Math.min(i + batchSize, events.length), events.length);
      }
    },
    { maxWait: 60_000, timeout: 60 * 60_000 },
  );
  return { imported: events.length, lastPosition: events.at(-1)?.position ?? 0 };
}

import type { IHeaders, Message } from "kafkajs";
import { logFileFormat, logFileVersion, logLineOf } from "../../eventstore/log-file.js";
import { toStoredEvent, type EventRow } from "../../eventstore/read.js";
import type { EventMetadata, StoredEvent } from "../../eventstore/stored-event.js";

// The contract of the events topic (README "Kafka mode"): key = stream id, so one entity's events
// stay in order on one partition; value = one line of the exported log file (log-file.ts), the
// event exactly as stored; headers name the type, position, schema version and account so a
// consumer can route without parsing the value, and `format` marks a message iamgraph wrote.

export const eventMessageFormat = `${logFileFormat}/${logFileVersion}`;

export function eventMessage(row: EventRow): Message {
  const metadata = (typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata) as EventMetadata;
  return {
    key: row.stream_id,
    value: logLineOf(row),
    headers: {
      format: eventMessageFormat,
      type: row.type,
      position: String(row.position),
      "schema-version": String(row.schema_version),
      account: metadata.accountId,
    },
  };
}

export type Decoded = { readonly ok: true; readonly event: StoredEvent } | { readonly ok: false; readonly reason: string };

/** A message off the events topic as the event it carries, or why it is not one iamgraph wrote. */
export function decodeEventMessage(message: { key: Buffer | null; value: Buffer | null; headers?: IHeaders }): Decoded {
  if (header(message.headers, "format") !== eventMessageFormat) return { ok: false, reason: `no ${eventMessageFormat} format header` };
  if (!message.value) return { ok: false, reason: "empty value" };
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(message.value.toString("utf8")) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "the value is not JSON (truncated?)" };
  }
  const position = line.position;
  if (!Number.isSafeInteger(position) || (position as number) < 1) return { ok: false, reason: "no position" };
  if (header(message.headers, "position") !== String(position)) return { ok: false, reason: "the position header does not match the value" };
  if (typeof line.streamId !== "string" || message.key?.toString("utf8") !== line.streamId) return { ok: false, reason: "the key is not the stream id" };
  try {
    const event = toStoredEvent({
      position: position as number,
      stream_id: line.streamId,
      stream_version: line.streamVersion as number,
      type: String(line.type),
      schema_version: line.schemaVersion as number,
      data: line.data,
      metadata: line.metadata,
      occurred_at: String(line.occurredAt),
    });
    if (!Number.isSafeInteger(event.streamVersion) || Number.isNaN(event.occurredAt.getTime()) || typeof event.metadata?.accountId !== "string") {
      return { ok: false, reason: "stream version, occurredAt or metadata missing" };
    }
    return { ok: true, event };
  } catch (err) {
    return { ok: false, reason: `the event does not read: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}` };
  }
}

export function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

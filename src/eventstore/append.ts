import { currentSchemaVersion } from "../../events/catalogue.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { EventMetadata, ExpectedVersion, StoredEvent, StreamAppend } from "./stored-event.js";
import { takeWriteLock } from "./write-lock.js";

type Tx = Prisma.TransactionClient;

/**
 * Appends events to one or more streams inside the caller's transaction, all or nothing.
 * A stream whose version is not the expected one fails the whole append with
 * ConcurrentModification and writes nothing; the transaction stays usable.
 *
 * One round trip in the usual case: when every expected version is exact (or `noStream` = 0),
 * the new stream versions are known up front and a single INSERT both checks the current
 * versions and writes — or writes nothing, and a second look says which stream moved.
 * Only `any` needs the current versions read first.
 */
export async function appendToStreams(
  tx: Tx,
  appends: readonly StreamAppend[],
  metadata: EventMetadata,
  occurredAt: Date,
  options: { readonly lockHeld?: boolean } = {},
): Promise<StoredEvent[]> {
  const nonEmpty = appends.filter((a) => a.events.length > 0);
  if (nonEmpty.length === 0) return [];
  if (!options.lockHeld) await takeWriteLock(tx);

  const anyStreams = nonEmpty.filter((a) => a.expectedVersion === "any").map((a) => a.streamId);
  const current = anyStreams.length > 0 ? await currentVersions(tx, anyStreams) : new Map<string, number>();

  const rows: { streamId: string; streamVersion: number; type: string; schemaVersion: number; data: string }[] = [];
  const staged: Omit<StoredEvent, "position">[] = [];
  const guards: { streamId: string; expected: number }[] = [];
  const versions = new Map<string, number>();
  for (const append of nonEmpty) {
    const expected = append.expectedVersion;
    const base = versions.get(append.streamId) ?? (expected === "any" ? (current.get(append.streamId) ?? 0) : expected === "noStream" ? 0 : expected);
    if (expected !== "any" && !versions.has(append.streamId)) guards.push({ streamId: append.streamId, expected: base });
    append.events.forEach((event, i) => {
      const streamVersion = base + i + 1;
      const schemaVersion = currentSchemaVersion(event.type);
      rows.push({ streamId: append.streamId, streamVersion, type: event.type, schemaVersion, data: JSON.stringify(event.data) });
      staged.push({ ...event, streamId: append.streamId, streamVersion, schemaVersion, metadata, occurredAt } as Omit<StoredEvent, "position">);
    });
    versions.set(append.streamId, base + append.events.length);
  }

  // One statement for the whole batch: it inserts only if every guarded stream is exactly at
  // its expected version. Under the write lock nothing can move in between.
  const inserted = await tx.$queryRawUnsafe<{ position: bigint | number | string }[]>(
    `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
     SELECT s, v, t, sv, d::jsonb, $6::jsonb, $7::timestamptz
       FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS x(s, v, t, sv, d, n)
      WHERE NOT EXISTS (
        SELECT 1 FROM unnest($8::text[], $9::int[]) AS g(stream_id, expected)
         WHERE coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = g.stream_id), 0) <> g.expected)
      ORDER BY n
     RETURNING position`,
    rows.map((r) => r.streamId),
    rows.map((r) => r.streamVersion),
    rows.map((r) => r.type),
    rows.map((r) => r.schemaVersion),
    rows.map((r) => r.data),
    JSON.stringify(metadata),
    occurredAt.toISOString(),
    guards.map((g) => g.streamId),
    guards.map((g) => g.expected),
  );
  if (inserted.length === 0) {
    // The guard refused: find the stream that moved, for an exact message. Nothing was written.
    const actual = await currentVersions(tx, guards.map((g) => g.streamId));
    for (const append of nonEmpty) checkExpected(append.streamId, append.expectedVersion, actual.get(append.streamId) ?? 0);
    throw new DomainError("ConcurrentModification", "The streams changed while appending. Another request changed them; retry.");
  }
  const positions = inserted.map((r) => Number(r.position)).sort((a, b) => a - b);
  return staged.map((e, i) => ({ ...e, position: positions[i]! }) as StoredEvent);
}

async function currentVersions(tx: Tx, streamIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await tx.$queryRawUnsafe<{ stream_id: string; version: number }[]>(
    `SELECT stream_id, max(stream_version)::int AS version FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
    streamIds,
  );
  return new Map(rows.map((r) => [r.stream_id, Number(r.version)]));
}

function checkExpected(streamId: string, expected: ExpectedVersion, actual: number): void {
  const ok = expected === "any" || (expected === "noStream" ? actual === 0 : expected === actual);
  if (!ok) {
    throw new DomainError(
      "ConcurrentModification",
      `Stream ${streamId} is at version ${actual}, expected ${expected === "noStream" ? "no stream" : expected}. Another request changed it; retry.`,
    );
  }
}

import { currentSchemaVersion } from "../../events/catalogue.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { EventMetadata, ExpectedVersion, StoredEvent, StreamAppend } from "./stored-event.js";
import { takeWriteLock } from "./write-lock.js";

type Tx = Prisma.TransactionClient;

/**
 * Appends events to one or more streams inside the caller's transaction, all or nothing.
 * A stream whose version is not the expected one fails the whole append with
 * ConcurrentModification and writes nothing (the caller's transaction rolls back).
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

  // New streams need no look-up: the unique (stream_id, stream_version) index refuses version 1
  // of a stream that exists, which is reported as ConcurrentModification below.
  const lookUp = nonEmpty.filter((a) => a.expectedVersion !== "noStream").map((a) => a.streamId);
  const current =
    lookUp.length === 0
      ? []
      : await tx.$queryRawUnsafe<{ stream_id: string; version: number }[]>(
          `SELECT stream_id, max(stream_version)::int AS version FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
          lookUp,
        );
  const versions = new Map(current.map((r) => [r.stream_id, Number(r.version)]));

  const rows: { streamId: string; streamVersion: number; type: string; schemaVersion: number; data: string }[] = [];
  const staged: Omit<StoredEvent, "position">[] = [];
  for (const append of nonEmpty) {
    const version = versions.get(append.streamId) ?? 0;
    checkExpected(append.streamId, append.expectedVersion, version);
    append.events.forEach((event, i) => {
      const streamVersion = version + i + 1;
      const schemaVersion = currentSchemaVersion(event.type);
      rows.push({ streamId: append.streamId, streamVersion, type: event.type, schemaVersion, data: JSON.stringify(event.data) });
      staged.push({ ...event, streamId: append.streamId, streamVersion, schemaVersion, metadata, occurredAt } as Omit<StoredEvent, "position">);
    });
    versions.set(append.streamId, version + append.events.length);
  }

  // One statement for the whole batch, whatever its size.
  const inserted = await tx
    .$queryRawUnsafe<{ position: bigint | number | string }[]>(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       SELECT s, v, t, sv, d::jsonb, $6::jsonb, $7::timestamptz
         FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS x(s, v, t, sv, d, n)
        ORDER BY n
       RETURNING position`,
      rows.map((r) => r.streamId),
      rows.map((r) => r.streamVersion),
      rows.map((r) => r.type),
      rows.map((r) => r.schemaVersion),
      rows.map((r) => r.data),
      JSON.stringify(metadata),
      occurredAt.toISOString(),
    )
    .catch((err: unknown) => {
      // Under the write lock only a `noStream` append can collide: its stream already exists.
      if (isUniqueViolation(err)) {
        const created = nonEmpty.filter((a) => a.expectedVersion === "noStream").map((a) => a.streamId);
        throw new DomainError("ConcurrentModification", `Stream ${created.join(", ")} already exists, expected no stream. Another request changed it; retry.`);
      }
      throw err;
    });
  const positions = inserted.map((r) => Number(r.position)).sort((a, b) => a - b);
  return staged.map((e, i) => ({ ...e, position: positions[i]! }) as StoredEvent);
}

/** PostgreSQL 23505 as the Prisma driver adapters report it. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; code?: string } } } };
  const cause = e?.meta?.driverAdapterError?.cause;
  return e?.code === "23505" || cause?.originalCode === "23505" || cause?.code === "23505";
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

import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import type { StoredEvent, StreamAppend } from "../eventstore/stored-event.js";
import type { Tx } from "../projections/projection.js";
import { project } from "../projections/runner.js";
import type { Command } from "./command.js";
import { planCommand } from "./plan.js";

// Applying commands for a question — a preview, a check before writing — inside a transaction or
// savepoint that the caller then rolls back.

/** The would-be events with the positions and versions the store would give them. */
export function stage(appends: readonly StreamAppend[], meta: CommandMetadata, head: number): StoredEvent[] {
  const { newId: _newId, now: occurredAt, ...metadata } = meta;
  let position = head;
  return appends.flatMap((append) =>
    append.events.map((event, i) => {
      const base = typeof append.expectedVersion === "number" ? append.expectedVersion : 0;
      return { ...event, streamId: append.streamId, streamVersion: base + i + 1, schemaVersion: 1, metadata, occurredAt, position: ++position } as StoredEvent;
    }),
  );
}

/**
 * Plans, stages and projects each command on the state its predecessors left — the deciders fold
 * the streams, so each command's events are inserted for the next one to see. They are inserted
 * at explicit positions, which leaves the position sequence untouched: rolled back, they leave
 * no gap in the log. Only under the write lock, in a transaction the caller rolls back.
 * `before` sees each command's events before they are projected (to find whom they touch).
 */
export async function dryApplyInOrder(
  tx: Tx,
  commands: readonly Command[],
  metas: readonly CommandMetadata[],
  head: number,
  before?: (events: readonly StoredEvent[]) => Promise<void>,
): Promise<StoredEvent[]> {
  const staged: StoredEvent[] = [];
  for (const [i, command] of commands.entries()) {
    const events = stage(await planCommand(tx, command, metas[i]!), metas[i]!, head + staged.length);
    if (before) await before(events);
    await insertAt(tx, events);
    await project(tx, events);
    staged.push(...events);
  }
  return staged;
}

async function insertAt(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`,
    events.map((e) => e.position),
    events.map((e) => e.streamId),
    events.map((e) => e.streamVersion),
    events.map((e) => e.type),
    events.map((e) => e.schemaVersion),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
    events.map((e) => e.occurredAt.toISOString()),
  );
}

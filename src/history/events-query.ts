import { DomainError } from "../domain/shared/domain-error.js";
import { toStoredEvent, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { kindOfArn, streamsNamed } from "./load.js";

/** What the `events` connection filters on; every field narrows (AND). */
export interface EventFilter {
  readonly streamId?: string | null;
  /** Every stream that ever carried the ARN (a re-created user has two). */
  readonly entityArn?: string | null;
  readonly types?: readonly string[] | null;
  readonly actor?: string | null;
  readonly fromPosition?: number | null;
  readonly toPosition?: number | null;
  readonly fromTime?: Date | null;
  readonly toTime?: Date | null;
}

export interface EventPage {
  readonly events: StoredEvent[];
  readonly hasNextPage: boolean;
}

const columns = `position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

/** One page of the log in position order, after a position (the cursor), narrowed by the filter. */
export async function queryEvents(db: RawQueryable, filter: EventFilter, page: { first: number; after: number }): Promise<EventPage> {
  const where: string[] = ["position > $1"];
  const values: unknown[] = [page.after];
  const add = (sql: (n: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (filter.streamId != null) add((n) => `stream_id = ${n}`, filter.streamId);
  if (filter.entityArn != null) {
    const kind = kindOfArn(filter.entityArn);
    if (!kind) throw new DomainError("InvalidInput", `Not a user, group, role or policy ARN: ${filter.entityArn}`);
    add((n) => `stream_id = ANY(${n}::text[])`, await streamsNamed(db, kind, "arn", filter.entityArn));
  }
  if (filter.types != null) add((n) => `type = ANY(${n}::text[])`, [...filter.types]);
  if (filter.actor != null) add((n) => `metadata->>'actor' = ${n}`, filter.actor);
  if (filter.fromPosition != null) add((n) => `position >= ${n}`, filter.fromPosition);
  if (filter.toPosition != null) add((n) => `position <= ${n}`, filter.toPosition);
  if (filter.fromTime != null) add((n) => `occurred_at >= ${n}::timestamptz`, filter.fromTime.toISOString());
  if (filter.toTime != null) add((n) => `occurred_at <= ${n}::timestamptz`, filter.toTime.toISOString());
  values.push(page.first + 1);
  const rows = await db.$queryRawUnsafe<Parameters<typeof toStoredEvent>[0][]>(
    `SELECT ${columns} FROM events WHERE ${where.join(" AND ")} ORDER BY position LIMIT $${values.length}`,
    ...values,
  );
  const events = rows.slice(0, page.first).map(toStoredEvent);
  return { events, hasNextPage: rows.length > page.first };
}

import { entityIdOfStream, streamIdSql } from "../domain/shared/stream-ids.js";
import { readAll, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { eventKeys } from "./messages.js";

/** Which events a tail wants. Every given criterion must hold. */
export interface EventFilter {
  readonly streamId?: string | null;
  readonly types?: readonly string[] | null;
  /** A user, group, role or policy by ARN: events in its stream or naming it (a membership, an attachment). */
  readonly entityArn?: string | null;
  /** The same by id (AIDA…, AGPA…, AROA…, ANPA…). */
  readonly entityId?: string | null;
  /** Who did it (the metadata's actor). */
  readonly actor?: string | null;
}

/**
 * A filter ready to match. Entity criteria become a set of keys (the ARN, ids and stream ids)
 * compared with the keys each event names; an event that creates or renames an entity to the
 * watched ARN adds that entity's stream, so a tail opened before an entity exists still follows it.
 */
export class EventMatcher {
  readonly #types: ReadonlySet<string> | undefined;
  readonly #streamId: string | undefined;
  readonly #arn: string | undefined;
  readonly #actor: string | undefined;
  /** undefined → no entity criterion */
  readonly entityKeys: Set<string> | undefined;

  constructor(filter: EventFilter, entityStreams: readonly string[] = []) {
    this.#types = filter.types?.length ? new Set(filter.types) : undefined;
    this.#streamId = filter.streamId ?? undefined;
    this.#arn = filter.entityArn ?? undefined;
    this.#actor = filter.actor ?? undefined;
    if (filter.entityArn || filter.entityId) {
      this.entityKeys = new Set();
      if (filter.entityArn) this.entityKeys.add(filter.entityArn);
      if (filter.entityId) this.entityKeys.add(filter.entityId);
      for (const s of entityStreams) this.#addStream(s);
    }
  }

  /** The keys to index this filter under; empty → it must see every event. */
  indexKeys(): string[] {
    if (this.entityKeys) return [...this.entityKeys];
    if (this.#streamId) return [this.#streamId];
    return [];
  }

  /** Matches, learning new keys on the way (returns them so an index can follow). */
  matches(event: StoredEvent, learned?: (key: string) => void): boolean {
    if (this.#types && !this.#types.has(event.type)) return false;
    if (this.#streamId && event.streamId !== this.#streamId) return false;
    if (this.#actor && event.metadata.actor !== this.#actor) return false;
    if (!this.entityKeys) return true;
    const d = event.data as Record<string, unknown>;
    if (this.#arn && (d.arn === this.#arn || d.newArn === this.#arn) && !this.entityKeys.has(event.streamId)) {
      for (const k of this.#addStream(event.streamId)) learned?.(k);
    }
    return eventKeys(event).some((k) => this.entityKeys!.has(k));
  }

  #addStream(streamId: string): string[] {
    const id = entityIdOfStream(streamId);
    this.entityKeys!.add(streamId);
    this.entityKeys!.add(id);
    return [streamId, id];
  }
}

/** The streams of the entity that has, or last had, an ARN (several if it was deleted and re-created). */
export async function entityStreamsByArn(db: RawQueryable, arn: string): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ s: string }[]>(
    `SELECT ${streamIdSql("user", "id")} AS s FROM users WHERE arn = $1
     UNION SELECT ${streamIdSql("group", "id")} FROM groups WHERE arn = $1
     UNION SELECT ${streamIdSql("role", "id")} FROM roles WHERE arn = $1
     UNION SELECT ${streamIdSql("policy", "id")} FROM policies WHERE arn = $1`,
    arn,
  );
  if (rows.length > 0) return rows.map((r) => r.s);
  // Gone from the read models (deleted): its creation is still in the log.
  const past = await db.$queryRawUnsafe<{ s: string }[]>(
    `SELECT DISTINCT stream_id AS s FROM events
      WHERE type IN ('UserCreated', 'GroupCreated', 'RoleCreated', 'PolicyCreated', 'UserUpdated', 'GroupUpdated')
        AND (data->>'arn' = $1 OR data->>'newArn' = $1)`,
    arn,
  );
  return past.map((r) => r.s);
}

/** The log after a position, filtered, page by page until the head: a tail's catch-up. */
export async function* readFiltered(db: RawQueryable, after: number, matcher: EventMatcher, pageSize = 1000): AsyncGenerator<StoredEvent, number> {
  let cursor = after;
  for (;;) {
    const page = await readAll(db, cursor, pageSize);
    if (page.length === 0) return cursor;
    for (const event of page) if (matcher.matches(event)) yield event;
    cursor = page.at(-1)!.position;
  }
}

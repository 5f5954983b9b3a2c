import { entityIdOfStream } from "../../domain/shared/stream-ids.js";
import type { StoredEvent } from "../../eventstore/stored-event.js";
import type { EntityFacts } from "../../authz/authorization-check.js";

interface Entry<T> {
  readonly id: string;
  readonly value: T;
}

/**
 * What self-authorization of queries reads about the entities a request names (ARN with path,
 * tags, boundary; a policy's tags; an access key's owner), kept across requests so a warm check
 * costs no query. Commands never read it: they are authorized under the write lock on facts read
 * from the writing transaction (src/app/command-authorization.ts). Exact, not eventually right: every event of an entity's stream drops what was kept
 * about it as the event is published (a rename, a tag, a boundary, a deletion, a key change),
 * and a read that raced with such an event is not kept (the generation check below). Only found
 * entities are kept — a name that does not exist is asked again, so a creation needs no
 * invalidation. Bounded: past `maxEntries` the oldest go.
 */
export class EntityFactsCache {
  readonly #entries = new Map<string, Entry<unknown>>();
  readonly #keysById = new Map<string, Set<string>>();
  #generation = 0;

  constructor(private readonly maxEntries = 50_000) {}

  /** Read before querying; pass it back to `set` so a result that raced an invalidation is dropped. */
  get generation(): number {
    return this.#generation;
  }

  get<T>(key: string): T | undefined {
    return this.#entries.get(key)?.value as T | undefined;
  }

  set<T>(key: string, id: string, value: T, readAtGeneration: number): void {
    if (readAtGeneration !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries) this.#evictOldest();
    this.#entries.set(key, { id, value });
    let keys = this.#keysById.get(id);
    if (!keys) this.#keysById.set(id, (keys = new Set()));
    keys.add(key);
  }

  /** Call with every committed batch, before the next request can read. */
  invalidate(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.#generation++;
    for (const event of events) {
      const id = entityIdOfStream(event.streamId);
      const keys = this.#keysById.get(id);
      if (!keys) continue;
      for (const key of keys) this.#entries.delete(key);
      this.#keysById.delete(id);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #evictOldest(): void {
    const oldest = this.#entries.keys().next();
    if (oldest.done) return;
    const entry = this.#entries.get(oldest.value)!;
    this.#entries.delete(oldest.value);
    this.#keysById.get(entry.id)?.delete(oldest.value);
  }
}

export type { EntityFacts };

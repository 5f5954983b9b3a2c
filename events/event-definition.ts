import type { z } from "zod";

/**
 * One event type as stored in the log: its name, the schema of its current version, and the
 * upcasters that lift older stored versions to the current shape. Events are facts in the past
 * tense; once stored, a version's shape is never edited — a new shape is a new version plus an
 * upcaster (and a fixture test holding the old JSON).
 */
export interface EventDefinition<Type extends string, Schema extends z.ZodType> {
  readonly type: Type;
  readonly schemaVersion: number;
  readonly schema: Schema;
  /** upcasters[v] lifts data stored at version v to version v + 1. */
  readonly upcasters: Readonly<Record<number, (data: unknown) => unknown>>;
}

export function defineEvent<const Type extends string, Schema extends z.ZodType>(
  type: Type,
  schema: Schema,
  options: { schemaVersion?: number; upcasters?: Record<number, (data: unknown) => unknown> } = {},
): EventDefinition<Type, Schema> {
  return { type, schema, schemaVersion: options.schemaVersion ?? 1, upcasters: options.upcasters ?? {} };
}

/** The typed event value for a definition: `{ type, data }`. */
export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? { readonly type: T; readonly data: z.infer<S> } : never;

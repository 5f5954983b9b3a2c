import * as accessKeys from "./access-keys.js";
import type { EventDefinition, EventOf } from "./event-definition.js";
import * as groups from "./groups.js";
import * as oidcProviders from "./oidc-providers.js";
import * as permissions from "./permissions.js";
import * as policies from "./policies.js";
import * as roles from "./roles.js";
import * as users from "./users.js";

/** Every event type iamgraph stores, by name. Adding a type here is the only registration needed. */
export const eventCatalogue = {
  ...users,
  ...groups,
  ...roles,
  ...policies,
  ...permissions,
  ...accessKeys,
  ...oidcProviders,
} as const;

type Catalogue = typeof eventCatalogue;
export type EventType = keyof Catalogue & string;
/** The discriminated union of every event's current shape. */
export type IamEvent = { [K in EventType]: EventOf<Catalogue[K]> }[EventType];
export type EventOfType<T extends EventType> = Extract<IamEvent, { type: T }>;

const definitions = new Map<string, EventDefinition<string, never>>(
  Object.values(eventCatalogue).map((d) => [d.type, d as unknown as EventDefinition<string, never>]),
);

export function isEventType(type: string): type is EventType {
  return definitions.has(type);
}

export function currentSchemaVersion(type: EventType): number {
  return definitions.get(type)!.schemaVersion;
}

/**
 * Reads stored event data as the current shape: runs the upcasters from the stored version up
 * to the current one, then validates. Throws on unknown types or data that does not fit — the
 * log is ours, so that is corruption, not bad input.
 */
export function upcastEvent(type: string, schemaVersion: number, data: unknown): IamEvent {
  const definition = definitions.get(type);
  if (!definition) throw new Error(`Unknown event type in the log: ${type}`);
  if (schemaVersion > definition.schemaVersion) {
    throw new Error(`Event ${type} v${schemaVersion} is newer than this build knows (v${definition.schemaVersion})`);
  }
  let current = data;
  for (let v = schemaVersion; v < definition.schemaVersion; v++) {
    const up = definition.upcasters[v];
    if (!up) throw new Error(`No upcaster for ${type} v${v} → v${v + 1}`);
    current = up(current);
  }
  const parsed = (definition.schema as unknown as { parse(x: unknown): unknown }).parse(current);
  return { type, data: parsed } as IamEvent;
}

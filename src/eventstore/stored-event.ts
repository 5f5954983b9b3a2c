import type { IamEvent } from "../../events/catalogue.js";

/** Who did it and why, stored with every event. Never holds secrets. */
export interface EventMetadata {
  readonly accountId: string;
  /** The authenticated principal's ARN. */
  readonly actor: string;
  /** The access key the request was authenticated with (an id, never a secret). */
  readonly accessKeyId?: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly causationId?: string;
}

/** An event as it sits in the log, upcast to the current shape of its type. */
export type StoredEvent = IamEvent & {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
};

/**
 * `any`: append whatever the stream holds; `noStream`: the stream must not exist yet;
 * a number: the stream's current version must be exactly that (0 = empty).
 */
export type ExpectedVersion = "any" | "noStream" | number;

export interface StreamAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly IamEvent[];
}

import type { StoredEvent } from "../eventstore/stored-event.js";
import type { EvalDecision } from "../policy/evaluate.js";

// What the live subscriptions deliver. Every message carries the log position a client resumes
// after; the position of a batch message is the last event of the command that caused it, since
// a command's events commit together.

/** The event that caused a change. */
export interface Cause {
  readonly position: number;
  readonly type: string;
  readonly streamId: string;
  readonly actor: string;
  readonly requestId: string;
  readonly occurredAt: Date;
}

export function causeOf(event: StoredEvent): Cause {
  return {
    position: event.position,
    type: event.type,
    streamId: event.streamId,
    actor: event.metadata.actor,
    requestId: event.metadata.requestId,
    occurredAt: event.occurredAt,
  };
}

/** One path by which a policy is in a principal's effective set. */
export interface PolicyPath {
  readonly kind: "managed" | "inline" | "boundary";
  readonly policyArn: string | null;
  readonly policyName: string;
  /** Who holds it: the principal itself or a group it is in. */
  readonly ownerType: string;
  readonly ownerId: string;
  readonly viaGroupId: string | null;
  readonly viaGroupName: string | null;
  /** The managed policy's default version, when known. */
  readonly versionId: string | null;
}

export interface PermissionsChange {
  readonly position: number;
  readonly principalArn: string;
  readonly cause: Cause;
  readonly entered: readonly PolicyPath[];
  readonly left: readonly PolicyPath[];
  /** Same path, new text: a managed policy's default version moved, an inline policy was replaced. */
  readonly updated: readonly PolicyPath[];
  /** False once the principal is deleted (or before it exists). */
  readonly principalExists: boolean;
}

export interface DecisionChange {
  readonly position: number;
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  /** Null on a resume without a known previous decision: the message then states the current one. */
  readonly before: EvalDecision | null;
  readonly after: EvalDecision;
  readonly reason: string;
  readonly cause: Cause | null;
}

export type LogEvent = StoredEvent;

/** Entity ids and ARNs an event is about, and its stream: what subscriptions are indexed by. */
export function eventKeys(event: StoredEvent): string[] {
  const d = event.data as Record<string, unknown>;
  const keys = [event.streamId];
  for (const field of ["userId", "groupId", "roleId", "policyId", "entityId", "policyArn", "arn", "newArn"]) {
    const v = d[field];
    if (typeof v === "string") keys.push(v);
  }
  return keys;
}

/** key → subscribers, for O(keys of an event) matching instead of O(subscribers). */
export class KeyIndex<T> {
  readonly #map = new Map<string, Set<T>>();
  add(key: string, item: T): void {
    let set = this.#map.get(key);
    if (!set) this.#map.set(key, (set = new Set()));
    set.add(item);
  }
  delete(key: string, item: T): void {
    const set = this.#map.get(key);
    if (!set) return;
    set.delete(item);
    if (set.size === 0) this.#map.delete(key);
  }
  get(key: string): ReadonlySet<T> | undefined {
    return this.#map.get(key);
  }
  get size(): number {
    return this.#map.size;
  }
}

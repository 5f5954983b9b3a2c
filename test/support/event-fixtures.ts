import type { IamEvent } from "../../events/catalogue.js";
import { DomainError, type ErrorCode } from "../../src/domain/shared/domain-error.js";
import type { EventMetadata } from "../../src/eventstore/stored-event.js";

/** Valid events to append in event-store tests (reads validate every event against its schema). */
export function userCreated(userName: string, userId = `AIDA${userName.toUpperCase().padEnd(17, "0").slice(0, 17)}`): IamEvent {
  return {
    type: "UserCreated",
    data: { userId, userName, path: "/", arn: `arn:aws:iam::123456789012:user/${userName}`, tags: [] },
  };
}

export function userTagged(userId: string, key: string, value: string): IamEvent {
  return { type: "UserTagged", data: { userId, tags: [{ key, value }] } };
}

export const metadata: EventMetadata = {
  accountId: "123456789012",
  actor: "arn:aws:iam::123456789012:user/admin",
  requestId: "req-1",
  correlationId: "corr-1",
};

export const occurredAt = new Date("2026-11-28T10:11:12.345Z");

/**
 * How a racing call ended: "ok", the DomainError code it was refused with, or the message of any
 * other error. Never rejects, so Promise.all waits for every racer (none is left running into the
 * next test) and an unexpected error shows up in the assertion.
 */
export async function outcome(promise: Promise<unknown>): Promise<ErrorCode | "ok" | `unexpected: ${string}`> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    return `unexpected: ${err instanceof Error ? err.message : String(err)}`;
  }
}

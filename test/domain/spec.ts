import { expect } from "vitest";
import type { IamEvent } from "../../events/catalogue.js";
import { evolveGroup, initialGroupState, type GroupState } from "../../src/domain/groups/state.js";
import type { CommandMetadata } from "../../src/domain/shared/command-metadata.js";
import { DomainError, type ErrorCode } from "../../src/domain/shared/domain-error.js";

/**
 * given(events) → when(command) → then(events) | thenFails(code, message), for a pure decider.
 * `facts` are what the command pipeline loads besides the entity's own stream (name taken,
 * counts, the other entity of a membership).
 */
export function deciderSpec<Command, Event, State, Input>(decider: {
  readonly initial: State;
  readonly evolve: (state: State, event: IamEvent) => State;
  readonly decide: (command: Command, input: Input, meta: CommandMetadata) => Event[];
  /** The decider's input: the folded state plus the facts. */
  readonly input: (state: State, facts: Partial<Input>) => Input;
}) {
  return function given(events: readonly IamEvent[] = [], facts: Partial<Input> = {}) {
    const state = events.reduce(decider.evolve, decider.initial);
    return {
      when(command: Command, meta: CommandMetadata = metadata) {
        const run = () => decider.decide(command, decider.input(state, facts), meta);
        return {
          then(expected: readonly Event[]): void {
            expect(run()).toEqual(expected);
          },
          thenFails(code: ErrorCode, message?: string | RegExp): void {
            let error: unknown;
            try {
              run();
            } catch (err) {
              error = err;
            }
            expect(error, "expected the command to be refused").toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe(code);
            if (typeof message === "string") expect((error as DomainError).message).toBe(message);
            else if (message) expect((error as DomainError).message).toMatch(message);
          },
        };
      },
    };
  };
}

export const accountId = "123456789012";

export const metadata: CommandMetadata = {
  accountId,
  now: new Date("2026-11-28T10:00:00.000Z"),
  newId: "AIDAEXAMPLEID0000001",
  actor: `arn:aws:iam::${accountId}:user/admin`,
  requestId: "req-1",
  correlationId: "req-1",
};

/** A group's state after its events, for commands that also need the group (memberships). */
export function groupAfter(...events: IamEvent[]): GroupState {
  return events.reduce(evolveGroup, initialGroupState);
}

import type { AuthorizeRequest } from "../authz/authorizer.js";
import type { RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { withAwsArns } from "../history/aws-dated.js";
import { decideAt } from "../history/decide-at.js";
import { loadPrincipalEvents } from "../history/load.js";
import { replay } from "../history/timeline.js";
import { emptyWorld } from "../history/world.js";
import type { EvaluationResult } from "../policy/evaluate.js";

/** A principal that does not exist (yet, or any more) may do nothing. */
export const noPrincipal: EvaluationResult = { decision: "implicitDeny", matchedStatements: [], reason: "no such principal" as EvaluationResult["reason"], missingContextValues: [] };

export interface DecisionStep {
  /** The event after which the principal's set changed. */
  readonly event: StoredEvent;
  readonly result: EvaluationResult;
}

/**
 * A decision after each event in (after, upTo] that changed the principal's set, folded from the
 * log by history's own replay (aws:CurrentTime = the event's time, as accessTimeline judges it).
 * What the live hub uses when one batch carries several commands for a principal: the present
 * says only how the last one left the decision, and a flip and its undoing (a boundary put, then
 * deleted) would cancel out unseen.
 */
export async function replayDecisions(db: RawQueryable, request: AuthorizeRequest, after: number, upTo: number): Promise<DecisionStep[]> {
  const loaded = await loadPrincipalEvents(db, request.principalArn, upTo);
  if (!loaded) return [];
  const accountId = request.principalArn.split(":")[4] ?? "";
  const steps: DecisionStep[] = [];
  for (const step of replay(loaded.events, loaded.principalStreamId, accountId, withAwsArns(emptyWorld, loaded.events))) {
    if (!step.changed || step.event.position <= after || step.event.position > upTo) continue;
    steps.push({ event: step.event, result: step.set ? decideAt(step.set, request, step.event.occurredAt) : noPrincipal });
  }
  return steps;
}

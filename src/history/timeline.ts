import type { StoredEvent } from "../eventstore/stored-event.js";
import type { MatchedStatement } from "../policy/evaluate.js";
import type { ContextEntry } from "../policy/request.js";
import { compileEffectiveSet, decideAt } from "./decide-at.js";
import { effectiveSetOf, type EffectiveSet } from "./effective-set.js";
import { inEffectAt, withAwsArns, type HistoryPoint } from "./aws-dated.js";
import { emptyWorld, evolveWorld, type World } from "./world.js";
import { isAssumeRoleQuestion, trustAdmits } from "../authz/who-can-assume.js";
import { trustPolicyAt } from "./trust-at.js";

// Pure: everything here works on a list of events already read (the principal's stream, its
// groups' streams, its policies' streams), in history order (aws-dated.ts: position order, AWS
// versions placed at their AWS dates). The loaders (load.ts) decide which
// streams matter; these functions never see the database.

/** One step of a replay: the event just folded and the principal's set after it. */
export interface ReplayStep {
  readonly event: StoredEvent;
  readonly world: World;
  /** undefined while the principal does not exist. */
  readonly set: EffectiveSet | undefined;
  /** Whether this event changed which policies (or which texts) are in effect. */
  readonly changed: boolean;
}

/** Replays events in position order, yielding the principal's effective set after each. */
export function* replay(events: readonly StoredEvent[], principalStreamId: string, accountId: string, start: World = emptyWorld): Generator<ReplayStep> {
  let world = start;
  let fingerprint = fingerprintOf(effectiveSetOf(world, principalStreamId, accountId));
  for (const event of events) {
    world = evolveWorld(world, event);
    const set = effectiveSetOf(world, principalStreamId, accountId);
    const next = fingerprintOf(set);
    const changed = next !== fingerprint;
    fingerprint = next;
    yield { event, world, set, changed };
  }
}

export function fingerprintOf(set: EffectiveSet | undefined): string {
  if (!set) return "";
  // The principal's name/tags feed the request context, so they count as part of the set.
  const head = `${set.principal.arn}|${set.principal.tags.map((t) => `${t.key}=${t.value}`).join(",")}`;
  return [head, ...set.entries.map((e) => `${e.key}\u0000${e.text}`).sort()].join("\u0001");
}

/** The world folded from every event in effect at a point (aws-dated.ts: AWS versions by their AWS date). */
export function worldAt(events: readonly StoredEvent[], point: HistoryPoint): World {
  let world = withAwsArns(emptyWorld, events);
  for (const event of events) if (inEffectAt(event, point)) world = evolveWorld(world, event);
  return world;
}

export interface AccessInterval {
  /** The concrete action the interval is about. */
  readonly action: string;
  /** The event after which the request was allowed. */
  readonly openedBy: StoredEvent;
  /** The event after which it no longer was; undefined while it still is. */
  readonly closedBy: StoredEvent | undefined;
  /** The statements that allowed it when the interval opened. */
  readonly allowedBy: readonly MatchedStatement[];
}

/**
 * The intervals during which a request was allowed. The decision is recomputed only after events
 * that changed the principal's set; `aws:CurrentTime` is the time of that event, so a time-bound
 * condition is judged as of the change, not as of now. For sts:AssumeRole on a role (whose stream
 * must then be among the events), the role's trust policy decides with the identity policies, as
 * at STS (who-can-assume.ts), and a change of the trust policy is a change too.
 */
export function accessTimeline(
  events: readonly StoredEvent[],
  principalStreamId: string,
  accountId: string,
  request: { readonly action: string; readonly resource: string; readonly context?: readonly ContextEntry[] },
): AccessInterval[] {
  return accessTimelines(events, principalStreamId, accountId, { ...request, actions: [request.action] });
}

/**
 * The same for several concrete actions (a question's wildcard expanded) in one replay: each
 * changed set is compiled once and decided for every action. Intervals by action, then in order.
 * For sts:AssumeRole on a role, the role's trust policy decides too: its changes open and close
 * intervals like the principal's own (who-can-assume.ts).
 */
export function accessTimelines(
  events: readonly StoredEvent[],
  principalStreamId: string,
  accountId: string,
  request: { readonly actions: readonly string[]; readonly resource: string; readonly context?: readonly ContextEntry[] },
): AccessInterval[] {
  const intervals = request.actions.map(() => [] as AccessInterval[]);
  const open = request.actions.map((): { openedBy: StoredEvent; allowedBy: readonly MatchedStatement[] } | undefined => undefined);
  const assume = request.actions.map((action) => isAssumeRoleQuestion(action, request.resource));
  const anyAssume = assume.some(Boolean);
  let trustText: string | undefined;
  for (const step of replay(events, principalStreamId, accountId, withAwsArns(emptyWorld, events))) {
    const trust = anyAssume ? trustPolicyAt(step.world, request.resource) : undefined;
    const trustChanged = anyAssume && trust?.text !== trustText;
    trustText = trust?.text;
    if (!step.changed && !trustChanged) continue;
    const compiled = step.set ? compileEffectiveSet(step.set) : undefined;
    request.actions.forEach((action, i) => {
      const result = step.set ? decideAt(step.set, { ...request, action }, step.event.occurredAt, compiled) : undefined;
      const allowed = !assume[i]
        ? result?.decision === "allowed"
        : step.set !== undefined && result !== undefined && trust !== undefined && trustAdmits(trust.document, trust.accountId, step.set.principal, result.decision, request.context ?? [], step.event.occurredAt) !== undefined;
      if (allowed && !open[i]) open[i] = { openedBy: step.event, allowedBy: result!.decision === "allowed" ? result!.matchedStatements : [] };
      if (!allowed && open[i]) {
        intervals[i]!.push({ action, ...open[i]!, closedBy: step.event });
        open[i] = undefined;
      }
    });
  }
  request.actions.forEach((action, i) => {
    if (open[i]) intervals[i]!.push({ action, ...open[i]!, closedBy: undefined });
  });
  return intervals.flat();
}

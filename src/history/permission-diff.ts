import type { StoredEvent } from "../eventstore/stored-event.js";
import type { PolicySource, PolicyStatement } from "../policy/document.js";
import type { EvalDecision } from "../policy/evaluate.js";
import { decideAt } from "./decide-at.js";
import { effectiveSetOf, type EffectiveEntry, type EffectiveSet } from "./effective-set.js";
import { inEffectAt } from "./aws-dated.js";
import { replay, worldAt } from "./timeline.js";

export type ChangeKind = "entered" | "left" | "changed";

/** A policy that entered, left, or changed text in the principal's effective set. */
export interface EffectiveChange {
  readonly change: ChangeKind;
  readonly key: string;
  /** The path it arrives by (as it was before, for `left`). */
  readonly source: PolicySource;
  readonly before: EffectiveEntry | undefined;
  readonly after: EffectiveEntry | undefined;
  /** The last event in the range that changed this path — the one that caused the net change. */
  readonly cause: StoredEvent;
  /** Human-readable path, e.g. `membership of group devs → attachment of S3Read to group devs`. */
  readonly description: string;
  readonly statementsEntered: readonly PolicyStatement[];
  readonly statementsLeft: readonly PolicyStatement[];
}

export interface ActionDecisionChange {
  readonly action: string;
  readonly resource: string;
  readonly before: EvalDecision;
  readonly after: EvalDecision;
}

export interface PermissionDiff {
  readonly changes: readonly EffectiveChange[];
  readonly decisions: readonly ActionDecisionChange[];
}

/**
 * What changed in a principal's effective set between two positions, each change tied to the
 * event that caused it. `events` are the streams that matter to the principal, in position order,
 * up to at least `to`. Replays only (from, to]; a path that changed and changed back is no change.
 */
export function permissionDiff(
  events: readonly StoredEvent[],
  principalStreamId: string,
  accountId: string,
  range: { readonly from: number; readonly to: number; readonly fromTime: Date; readonly toTime: Date },
  actions: readonly string[] = [],
  resource = "*",
): PermissionDiff {
  const from = { position: range.from, time: range.fromTime };
  const to = { position: range.to, time: range.toTime };
  const start = worldAt(events, from);
  const before = effectiveSetOf(start, principalStreamId, accountId);
  const lastCause = new Map<string, StoredEvent>();
  let previous = indexByKey(before);
  let after = before;
  for (const step of replay(events.filter((e) => !inEffectAt(e, from) && inEffectAt(e, to)), principalStreamId, accountId, start)) {
    after = step.set;
    if (!step.changed) continue;
    const current = indexByKey(step.set);
    for (const key of new Set([...previous.keys(), ...current.keys()])) {
      if (previous.get(key)?.text !== current.get(key)?.text) lastCause.set(key, step.event);
    }
    previous = current;
  }
  const was = indexByKey(before);
  const is = indexByKey(after);
  const changes: EffectiveChange[] = [];
  for (const key of [...new Set([...was.keys(), ...is.keys()])].sort()) {
    const b = was.get(key);
    const a = is.get(key);
    if (b?.text === a?.text) continue;
    const change: ChangeKind = !b ? "entered" : !a ? "left" : "changed";
    const source = (a ?? b)!.source;
    changes.push({
      change,
      key,
      source,
      before: b,
      after: a,
      cause: lastCause.get(key)!,
      description: describe(change, b?.source, a?.source),
      ...statementDelta(b, a),
    });
  }
  const decisions = actions.map((action) => ({
    action,
    resource,
    before: decisionOf(before, action, resource, range.fromTime),
    after: decisionOf(after, action, resource, range.toTime),
  }));
  return { changes, decisions };
}

function indexByKey(set: EffectiveSet | undefined): Map<string, EffectiveEntry> {
  return new Map((set?.entries ?? []).map((e) => [e.key, e]));
}

function decisionOf(set: EffectiveSet | undefined, action: string, resource: string, now: Date): EvalDecision {
  return set ? decideAt(set, { action, resource }, now).decision : "implicitDeny";
}

/** The path in words: how the policy reaches the principal. */
export function describePath(source: PolicySource): string {
  const policy = source.kind === "inline" ? `inline policy ${source.policyName}` : `${source.policyName}`;
  if (source.role === "boundary") return `permissions boundary ${policy} of ${source.attachedTo.type} ${source.attachedTo.name}`;
  const own = source.kind === "inline" ? `${policy} of ${source.attachedTo.type} ${source.attachedTo.name}` : `attachment of ${policy} to ${source.attachedTo.type} ${source.attachedTo.name}`;
  return source.viaGroup ? `membership of group ${source.viaGroup.name} → ${own}` : own;
}

function describe(change: ChangeKind, before: PolicySource | undefined, after: PolicySource | undefined): string {
  if (change !== "changed") return describePath((after ?? before)!);
  const s = after!;
  if (s.kind === "managed" && before?.versionId !== s.versionId) {
    return `default version of ${s.policyName} moved ${before?.versionId}→${s.versionId} (${describePath(s)})`;
  }
  return `document replaced (${describePath(s)})`;
}

function statementDelta(before: EffectiveEntry | undefined, after: EffectiveEntry | undefined) {
  const key = (s: PolicyStatement) => JSON.stringify(s);
  const was = new Map((before?.document.statements ?? []).map((s) => [key(s), s]));
  const is = new Map((after?.document.statements ?? []).map((s) => [key(s), s]));
  return {
    statementsEntered: [...is].filter(([k]) => !was.has(k)).map(([, s]) => s),
    statementsLeft: [...was].filter(([k]) => !is.has(k)).map(([, s]) => s),
  };
}

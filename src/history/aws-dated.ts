import type { StoredEvent } from "../eventstore/stored-event.js";
import type { World } from "./world.js";

// AWS's changes are history at AWS's dates. An AWS-managed policy version is appended to this
// store's log when the catalogue is imported (its position and occurredAt say when the store
// learned of it), but it took effect at AWS's date, carried in the event as `effectiveAt`. History
// therefore places these events by time, not by position: at a point (position P, time T) a
// customer event counts when its position ≤ P, an AWS-dated one when its effectiveAt ≤ T. So a
// point before a version's AWS date sees the version before it, whenever it was imported, and a
// point before a policy's first AWS version sees no such policy. (The import position still
// matters elsewhere: the read model and the authorizer see a version from the moment it is
// appended — as AWS's accounts did from AWS's date.)

/** AWS's date of the version, for an AWS-dated event; undefined for every customer event. */
export function awsDateOf(event: StoredEvent): string | undefined {
  const at = (event.data as { effectiveAt?: unknown }).effectiveAt;
  return typeof at === "string" ? at : undefined;
}

export interface HistoryPoint {
  readonly position: number;
  readonly time: Date;
}

export function inEffectAt(event: StoredEvent, point: HistoryPoint): boolean {
  return awsDateOf(event) === undefined ? event.position <= point.position : event.occurredAt.getTime() <= point.time.getTime();
}

/** The event as history sees it: an AWS-dated one occurs at AWS's date. */
export function retimed(event: StoredEvent): StoredEvent {
  const at = awsDateOf(event);
  return at === undefined ? event : { ...event, occurredAt: new Date(at) };
}

/**
 * One sequence in history order: customer events in position order, each (retimed) AWS-dated
 * event placed after the last customer event that occurred at or before its AWS date.
 */
export function inHistoryOrder(events: readonly StoredEvent[]): StoredEvent[] {
  const local = events.filter((e) => awsDateOf(e) === undefined).sort((a, b) => a.position - b.position);
  const aws = events
    .filter((e) => awsDateOf(e) !== undefined)
    .map(retimed)
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.position - b.position);
  const out: StoredEvent[] = [];
  let i = 0;
  for (const e of local) {
    while (i < aws.length && aws[i]!.occurredAt.getTime() < e.occurredAt.getTime()) out.push(aws[i++]!);
    out.push(e);
  }
  while (i < aws.length) out.push(aws[i++]!);
  return out;
}

/**
 * The AWS-managed ARNs whose streams are among the events (the full catalogue is in the log):
 * for them the builtin copy is never used, even at a point before their first AWS version.
 */
export function withAwsArns(world: World, events: readonly StoredEvent[]): World {
  const arns = new Set(world.awsPolicyArns ?? []);
  for (const e of events) if (e.type === "PolicyCreated" && e.data.awsManaged) arns.add(e.data.arn);
  return { ...world, awsPolicyArns: arns };
}

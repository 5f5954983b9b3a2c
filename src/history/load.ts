import { DomainError } from "../domain/shared/domain-error.js";
import { nameKey } from "../domain/shared/names.js";
import { groupStreamId } from "../domain/shared/stream-ids.js";
import { headPosition, toStoredEvent, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { isAwsManagedPolicyArn } from "../policy/aws-managed-policies.js";
import { inHistoryOrder } from "./aws-dated.js";

// Loaders for history: which streams matter for an entity or a principal, and their events up to
// a position. Every query is by stream id or by the creation/rename events of one name — never a
// scan of the whole log — so a point-in-time answer costs the same on a log of any length.

const columns = `position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

export interface AsOf {
  readonly position?: number | null;
  readonly timestamp?: Date | null;
}

export interface Point {
  /** Every event at or before this position is in the state; 0 = before the first event. */
  readonly position: number;
  /** The moment the point stands for: the given timestamp, else the time of the event at the position. */
  readonly time: Date;
}

/**
 * A timestamp means the last position with occurred_at ≤ timestamp; neither means now (the head).
 * The one place every `at:`/`asOf:`/`from:`/`to:` argument is resolved.
 *
 * A point past the head — a position not yet written, a timestamp still to come — is refused
 * rather than clamped to the head: an answer about a point must never change once given, and
 * "the state at position 99999" or "at 2099" would change as soon as more events are appended.
 * A client that means "now" omits the point.
 */
export async function resolvePoint(db: RawQueryable, asOf: AsOf | null | undefined, now: Date = new Date()): Promise<Point> {
  if (asOf?.position != null && asOf.timestamp != null) throw new DomainError("InvalidInput", "asOf takes a position or a timestamp, not both.");
  if (asOf?.timestamp != null) {
    if (asOf.timestamp.getTime() > now.getTime()) {
      throw new DomainError("InvalidInput", `The timestamp ${asOf.timestamp.toISOString()} is in the future (it is ${now.toISOString()}); omit the point to mean now.`);
    }
    const rows = await db.$queryRawUnsafe<{ p: unknown }[]>(`SELECT max(position) AS p FROM events WHERE occurred_at <= $1::timestamptz`, asOf.timestamp.toISOString());
    return { position: Number(rows[0]?.p ?? 0), time: asOf.timestamp };
  }
  const head = await headPosition(db);
  if (asOf?.position != null && asOf.position > head) {
    throw new DomainError("InvalidInput", `Position ${asOf.position} is beyond the head of the log (${head}); omit the point to mean now.`);
  }
  const position = asOf?.position ?? head;
  const rows = await db.$queryRawUnsafe<{ t: Date | string }[]>(
    `SELECT occurred_at AS t FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1`,
    position,
  );
  return { position, time: rows[0] ? new Date(rows[0].t) : new Date(0) };
}

export type EntityKind = "user" | "group" | "role" | "policy";

/** The events that give an entity its ARN or name: creation, and renames (UpdateUser / UpdateGroup). */
const naming: Record<EntityKind, { arn: [string, string][]; name: [string, string][] }> = {
  user: { arn: [["UserCreated", "arn"], ["UserUpdated", "newArn"]], name: [["UserCreated", "userName"], ["UserUpdated", "newUserName"]] },
  group: { arn: [["GroupCreated", "arn"], ["GroupUpdated", "newArn"]], name: [["GroupCreated", "groupName"], ["GroupUpdated", "newGroupName"]] },
  role: { arn: [["RoleCreated", "arn"]], name: [["RoleCreated", "roleName"]] },
  policy: { arn: [["PolicyCreated", "arn"]], name: [["PolicyCreated", "policyName"]] },
};

export function kindOfArn(arn: string): EntityKind | undefined {
  const m = /^arn:aws:iam::[^:]*:(user|group|role|policy)\//.exec(arn);
  return m?.[1] as EntityKind | undefined;
}

/**
 * The streams that ever carried an ARN (or, with by = "name", a name ignoring case) at or before
 * a position, the one that took it most recently last. A user deleted and re-created under the
 * same name has two streams; history shows both, state-at picks the latest.
 */
export async function streamsNamed(db: RawQueryable, kind: EntityKind, by: "arn" | "name", value: string, upTo = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const pairs = naming[kind][by];
  const match = pairs.map(([type, field], i) => `(type = $${i + 3} AND ${by === "name" ? `lower(data->>'${field}') = $1` : `data->>'${field}' = $1`})`).join(" OR ");
  const rows = await db.$queryRawUnsafe<{ stream_id: string }[]>(
    `SELECT stream_id FROM events WHERE type = ANY($${pairs.length + 3}::text[]) AND position <= $2 AND (${match})
      GROUP BY stream_id ORDER BY max(position)`,
    // Names are ASCII ([\w+=,.@-]), where SQL lower() and nameKey agree.
    by === "name" ? nameKey(value) : value,
    upTo,
    ...pairs.map(([type]) => type),
    pairs.map(([type]) => type),
  );
  return rows.map((r) => r.stream_id);
}

/** Events of the given streams at or before a position, in position order. */
export async function readStreams(db: RawQueryable, streamIds: readonly string[], upTo = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
  if (streamIds.length === 0) return [];
  const rows = await db.$queryRawUnsafe<Parameters<typeof toStoredEvent>[0][]>(
    `SELECT ${columns} FROM events WHERE stream_id = ANY($1::text[]) AND position <= $2 ORDER BY position`,
    [...new Set(streamIds)],
    upTo,
  );
  return rows.map(toStoredEvent);
}

export interface PrincipalEvents {
  readonly principalStreamId: string;
  /**
   * The principal's stream, every group it was ever in, every managed policy ever attached to it
   * or them or used as its boundary (AWS-managed ones too when the full catalogue is in the log).
   */
  readonly events: StoredEvent[];
}

/**
 * The streams that matter to a user or role up to a position, read in three rounds (principal →
 * groups → policies). Undefined when no user or role ever had the ARN by then.
 */
export async function loadPrincipalEvents(db: RawQueryable, principalArn: string, upTo = Number.MAX_SAFE_INTEGER): Promise<PrincipalEvents | undefined> {
  const kind = kindOfArn(principalArn);
  if (kind !== "user" && kind !== "role") return undefined;
  const principalStreamId = (await streamsNamed(db, kind, "arn", principalArn, upTo)).at(-1);
  if (!principalStreamId) return undefined;
  const own = await readStreams(db, [principalStreamId], upTo);
  const groupStreams = own.flatMap((e) => (e.type === "UserAddedToGroup" ? [groupStreamId(e.data.groupId)] : []));
  const groups = await readStreams(db, groupStreams, upTo);
  const arns = new Set(
    [...own, ...groups].flatMap((e) =>
      e.type === "ManagedPolicyAttached" || e.type === "PermissionsBoundaryPut" ? [e.data.policyArn] : [],
    ),
  );
  const customer = [...arns].filter((arn) => !isAwsManagedPolicyArn(arn));
  const policyStreams = (await Promise.all(customer.map((arn) => streamsNamed(db, "policy", "arn", arn, upTo)))).flat();
  const policies = await readStreams(db, policyStreams, upTo);
  // AWS versions count by their AWS date (aws-dated.ts), so they are read whatever their position.
  const awsStreams = (await Promise.all([...arns].filter(isAwsManagedPolicyArn).map((arn) => streamsNamed(db, "policy", "arn", arn)))).flat();
  const aws = await readStreams(db, awsStreams);
  return { principalStreamId, events: inHistoryOrder([...own, ...groups, ...policies, ...aws]) };
}

/**
 * The events with a role's stream merged in (the latest stream that carried its ARN), in history
 * order: what accessTimeline needs to judge sts:AssumeRole on that role by its trust policy.
 */
export async function withRoleStream(db: RawQueryable, events: readonly StoredEvent[], roleArn: string, upTo = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
  const stream = (await streamsNamed(db, "role", "arn", roleArn, upTo)).at(-1);
  if (!stream) return [...events];
  const have = new Set(events.map((e) => e.position));
  const extra = (await readStreams(db, [stream], upTo)).filter((e) => !have.has(e.position));
  return extra.length > 0 ? inHistoryOrder([...events, ...extra]) : [...events];
}

/** The AWS-dated events (actor `aws`) after a position, in position order. */
export async function awsDatedAfter(db: RawQueryable, position: number): Promise<StoredEvent[]> {
  const rows = await db.$queryRawUnsafe<Parameters<typeof toStoredEvent>[0][]>(
    `SELECT ${columns} FROM events WHERE position > $1 AND metadata->>'actor' = 'aws' AND data ? 'effectiveAt' ORDER BY position`,
    position,
  );
  return rows.map(toStoredEvent);
}

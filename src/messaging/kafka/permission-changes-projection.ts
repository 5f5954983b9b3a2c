import type { PrismaClient } from "../../generated/prisma/client.js";
import { toStoredEvent, eventColumns, type EventRow, type RawQueryable } from "../../eventstore/read.js";
import type { StoredEvent } from "../../eventstore/stored-event.js";
import { effectivePoliciesProjection } from "../../projections/effective-policies-projection.js";
import type { PermissionsChange } from "../messages.js";
import { replayPermissionChanges } from "../permission-replay.js";

// The permission_changes read model: every change to any principal's effective permissions, as
// permissionsChanged reports it to a subscriber. Run asynchronously by `iamgraph project` (it
// is the write side's business in no way, and folding a principal's history is the costliest
// projection there is), and the outbox of the permission-changes topic (permission-changes-topic.ts).
// Each change is computed by the same fold that serves a subscription's resume
// (permission-replay.ts), so the topic, a live subscriber and a resumed one say the same thing.

export const permissionChangesCheckpoint = "project:permission-changes";

/**
 * Event types that can change someone's effective set; the rest cost nothing here. Those the
 * effective-policies projection folds, plus what a permissionsChanged message also reports:
 * a principal appearing or renamed, a group renamed (its path in the provenance), and a new
 * default version (the document behind an unchanged attachment).
 */
const relevant: ReadonlySet<string> = new Set([...effectivePoliciesProjection.handles, "UserCreated", "UserUpdated", "RoleCreated", "GroupUpdated", "PolicyDefaultVersionSet"]);

/**
 * Folds delivered events (position order) into permission_changes, the checkpoint moved in the
 * same transaction — so a replayed or duplicated event (≤ checkpoint) changes nothing, and a
 * crash leaves rows and checkpoint agreeing. The checkpoint row is locked for the transaction:
 * two workers never fold the same range at once. Returns the changes written.
 */
export async function projectPermissionChanges(prisma: PrismaClient, events: readonly StoredEvent[]): Promise<PermissionsChange[]> {
  if (events.length === 0) return [];
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO worker_checkpoints (name, position, updated_at) VALUES ($1, 0, now()) ON CONFLICT (name) DO NOTHING`,
        permissionChangesCheckpoint,
      );
      const rows = await tx.$queryRawUnsafe<{ position: unknown }[]>(`SELECT position FROM worker_checkpoints WHERE name = $1 FOR UPDATE`, permissionChangesCheckpoint);
      const after = Number(rows[0]!.position);
      const fresh = events.filter((e) => e.position > after);
      if (fresh.length === 0) return [];
      // A command's events commit together and are one change: never stop inside a command.
      const rest = await restOfCommand(tx, fresh.at(-1)!);
      const batch = [...fresh, ...rest];
      const upTo = batch.at(-1)!.position;
      const changes: PermissionsChange[] = [];
      for (const arn of await affectedPrincipals(tx, batch, upTo)) changes.push(...(await replayPermissionChanges(tx, arn, after, upTo)));
      changes.sort((a, b) => a.position - b.position || a.principalArn.localeCompare(b.principalArn));
      if (changes.length > 0) {
        await tx.$executeRawUnsafe(
          `INSERT INTO permission_changes (position, principal_arn, change)
           SELECT p, a, c::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(p, a, c)
           ON CONFLICT DO NOTHING`,
          changes.map((c) => c.position),
          changes.map((c) => c.principalArn),
          changes.map((c) => JSON.stringify(c)),
        );
      }
      await tx.$executeRawUnsafe(`UPDATE worker_checkpoints SET position = $2, updated_at = now() WHERE name = $1`, permissionChangesCheckpoint, upTo);
      return changes;
    },
    { timeout: 60_000 },
  );
}

/** The events right after `last` that belong to the same command (same request id). */
async function restOfCommand(db: RawQueryable, last: StoredEvent): Promise<StoredEvent[]> {
  const rows = await db.$queryRawUnsafe<EventRow[]>(`SELECT ${eventColumns} FROM events WHERE position > $1 ORDER BY position LIMIT 100`, last.position);
  const rest: StoredEvent[] = [];
  for (const row of rows) {
    const e = toStoredEvent(row);
    if (e.metadata.requestId !== last.metadata.requestId) break;
    rest.push(e);
  }
  return rest;
}

/**
 * Every principal whose effective set the events may have changed (a superset: the fold then
 * reports only real changes), by its ARN as of `upTo`. Group and policy events reach everyone who
 * was ever in the group or ever held the policy, so a member removed later is not missed.
 */
async function affectedPrincipals(db: RawQueryable, events: readonly StoredEvent[], upTo: number): Promise<string[]> {
  const users = new Set<string>();
  const roles = new Set<string>();
  const groups = new Set<string>();
  const policies = new Set<string>();
  for (const e of events) {
    if (!relevant.has(e.type)) continue;
    const d = e.data as Record<string, unknown>;
    if (typeof d.userId === "string") users.add(d.userId);
    if (typeof d.roleId === "string") roles.add(d.roleId);
    if (typeof d.groupId === "string" && e.type === "GroupUpdated") groups.add(d.groupId);
    if (typeof d.entityId === "string") (d.entityType === "group" ? groups : d.entityType === "role" ? roles : users).add(d.entityId);
    if (e.type === "PolicyDefaultVersionSet" && typeof d.arn === "string") policies.add(d.arn);
  }
  if (policies.size > 0) {
    const holders = await db.$queryRawUnsafe<{ t: string; id: string }[]>(
      `SELECT DISTINCT data->>'entityType' AS t, data->>'entityId' AS id FROM events
        WHERE type IN ('ManagedPolicyAttached', 'PermissionsBoundaryPut') AND data->>'policyArn' = ANY($1::text[]) AND position <= $2`,
      [...policies],
      upTo,
    );
    for (const h of holders) (h.t === "group" ? groups : h.t === "role" ? roles : users).add(h.id);
  }
  if (groups.size > 0) {
    const members = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT DISTINCT data->>'userId' AS id FROM events WHERE type = 'UserAddedToGroup' AND data->>'groupId' = ANY($1::text[]) AND position <= $2`,
      [...groups],
      upTo,
    );
    for (const m of members) users.add(m.id);
  }
  if (users.size === 0 && roles.size === 0) return [];
  const arns = await db.$queryRawUnsafe<{ arn: string }[]>(
    `SELECT DISTINCT ON (stream_id) coalesce(data->>'newArn', data->>'arn') AS arn FROM events
      WHERE ((type IN ('UserCreated', 'UserUpdated') AND data->>'userId' = ANY($1::text[]))
          OR (type = 'RoleCreated' AND data->>'roleId' = ANY($2::text[])))
        AND position <= $3
      ORDER BY stream_id, position DESC`,
    [...users],
    [...roles],
    upTo,
  );
  return arns.map((r) => r.arn).sort();
}

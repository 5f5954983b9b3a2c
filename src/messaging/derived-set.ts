import { managedPath, pathKey } from "../domain/permissions/effective-paths.js";
import type { PermissionsHolder } from "../domain/permissions/state.js";
import type { RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { KnownSet } from "./known-set.js";
import type { PolicyPath } from "./messages.js";

// A principal's new effective set derived from the events that changed it, instead of re-read
// from the projection. A managed policy attached to (or detached from) a group or a principal
// changes every holder's set by one path, known from the event alone; what the path carries
// beyond the event (the policy's default version, the group's name) is the same for every
// holder and is read once per batch, with the log's head in the same statement. A change to a
// 500-member group then costs one small query instead of re-reading 500 sets.

/** Events whose effect on a set follows from the event and the batch's set facts. */
const derivableTypes = new Set(["ManagedPolicyAttached", "ManagedPolicyDetached"]);

export function isDerivable(events: readonly StoredEvent[]): boolean {
  return events.length > 0 && events.every((e) => derivableTypes.has(e.type));
}

/** What the derived paths need beyond the events, read at `head` (one statement, one snapshot). */
export interface SetFacts {
  readonly head: number;
  /** policy ARN → its default version (null when the policy is unknown). */
  readonly versions: ReadonlyMap<string, string | null>;
  /** group id → its name */
  readonly groupNames: ReadonlyMap<string, string>;
}

interface ManagedChange {
  readonly entityType: PermissionsHolder;
  readonly entityId: string;
  readonly policyArn: string;
}

export async function loadSetFacts(db: RawQueryable, events: readonly StoredEvent[]): Promise<SetFacts> {
  const arns = new Set<string>();
  const groupIds = new Set<string>();
  for (const e of events) {
    const d = e.data as ManagedChange;
    arns.add(d.policyArn);
    if (d.entityType === "group") groupIds.add(d.entityId);
  }
  const rows = await db.$queryRawUnsafe<{ kind: string; key: string | null; value: string | null }[]>(
    `SELECT 'head' AS kind, NULL AS key, (SELECT max(position) FROM events)::text AS value
     UNION ALL SELECT 'policy', arn, default_version_id FROM policies WHERE arn = ANY($1::text[])
     UNION ALL SELECT 'group', id, group_name FROM groups WHERE id = ANY($2::text[])`,
    [...arns],
    [...groupIds],
  );
  let head = 0;
  const versions = new Map<string, string | null>([...arns].map((a) => [a, null]));
  const groupNames = new Map<string, string>();
  for (const r of rows) {
    if (r.kind === "head") head = Number(r.value ?? 0);
    else if (r.kind === "policy") versions.set(r.key!, r.value);
    else if (r.value !== null) groupNames.set(r.key!, r.value);
  }
  return { head, versions, groupNames };
}

/**
 * The set after `events` (in order, all derivable, each possibly about this principal) given the
 * set before them. Only the changed paths are copied; the rest of the set is shared.
 */
export function deriveSet(before: KnownSet, events: readonly StoredEvent[], facts: SetFacts): KnownSet {
  if (before.principalId === undefined) return before;
  let paths: Map<string, { path: PolicyPath; revision: string }> | undefined;
  for (const e of events) {
    const d = e.data as ManagedChange;
    const via = d.entityType === "group" ? (before.groupIds.has(d.entityId) ? d.entityId : undefined) : d.entityId === before.principalId ? "" : undefined;
    if (via === undefined) continue; // not this principal's, nor a group it is in
    paths ??= new Map(before.paths);
    const effective = managedPath(d.entityType, d.entityId, d.policyArn, via);
    const key = pathKey(effective.sourceKey, via);
    if (e.type === "ManagedPolicyDetached") {
      paths.delete(key);
      continue;
    }
    const versionId = facts.versions.get(d.policyArn) ?? null;
    const path: PolicyPath = {
      kind: "managed",
      policyArn: d.policyArn,
      policyName: effective.policyName,
      ownerType: d.entityType,
      ownerId: d.entityId,
      viaGroupId: via || null,
      viaGroupName: via ? (facts.groupNames.get(via) ?? null) : null,
      versionId,
    };
    paths.set(key, { path, revision: versionId ?? "" });
  }
  return paths ? { principalId: before.principalId, paths, groupIds: before.groupIds } : before;
}

import { groupStreamId } from "../domain/shared/stream-ids.js";
import { toStoredEvent, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { absentSet, diffSets, isEmptyDiff, pathKey, type KnownSet } from "./known-set.js";
import { causeOf, type PermissionsChange, type PolicyPath } from "./messages.js";

// The catch-up half of `permissionsChanged(after:)`. The projection only knows the present, so
// the principal's effective set is refolded from the log — its own stream, the streams of every
// group it was ever in, and the default-version moves of the managed policies any of them held —
// and each command after `after` that changed the set becomes one message. Only those streams
// are read, never the whole log.

const columns = `position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

type Rows = Parameters<typeof toStoredEvent>[0][];

interface GroupState {
  name: string;
  paths: Map<string, PolicyPath>;
}

/** Changes to a principal's effective set after `after`, up to and including `upTo`. */
export async function replayPermissionChanges(db: RawQueryable, principalArn: string, after: number, upTo: number): Promise<PermissionsChange[]> {
  const streams = await db.$queryRawUnsafe<{ s: string }[]>(
    `SELECT DISTINCT stream_id AS s FROM events WHERE type IN ('UserCreated', 'RoleCreated', 'UserUpdated')
        AND (data->>'arn' = $1 OR data->>'newArn' = $1) AND position <= $2`,
    principalArn,
    upTo,
  );
  if (streams.length === 0) return [];
  const own = await readStreams(db, streams.map((r) => r.s), upTo);
  const groupIds = [...new Set(own.flatMap((e) => (e.type === "UserAddedToGroup" ? [e.data.groupId] : [])))];
  const groups = groupIds.length ? await readStreams(db, groupIds.map(groupStreamId), upTo) : [];
  const arns = new Set<string>();
  for (const e of [...own, ...groups]) {
    if (e.type === "ManagedPolicyAttached" || e.type === "PermissionsBoundaryPut") arns.add(e.data.policyArn);
  }
  const policies = arns.size
    ? (
        await db.$queryRawUnsafe<Rows>(
          `SELECT ${columns} FROM events WHERE type IN ('PolicyCreated', 'PolicyDefaultVersionSet')
              AND data->>'arn' = ANY($1::text[]) AND position <= $2 ORDER BY position`,
          [...arns],
          upTo,
        )
      ).map(toStoredEvent)
    : [];
  const events = [...own, ...groups, ...policies].sort((a, b) => a.position - b.position);
  return fold(principalArn, events, after);
}

async function readStreams(db: RawQueryable, streamIds: readonly string[], upTo: number): Promise<StoredEvent[]> {
  const rows = await db.$queryRawUnsafe<Rows>(
    `SELECT ${columns} FROM events WHERE stream_id = ANY($1::text[]) AND position <= $2 ORDER BY position`,
    streamIds,
    upTo,
  );
  return rows.map(toStoredEvent);
}

function fold(principalArn: string, events: readonly StoredEvent[], after: number): PermissionsChange[] {
  let principalId: string | undefined;
  const own = new Map<string, PolicyPath>();
  const revisions = new Map<string, string>(); // inline path key → position of the last put
  const memberOf = new Set<string>();
  const groups = new Map<string, GroupState>();
  const versions = new Map<string, string>(); // policy ARN → default version

  const current = (): KnownSet => {
    if (!principalId) return absentSet;
    const paths = new Map<string, { path: PolicyPath; revision: string }>();
    const add = (key: string, p: PolicyPath) => {
      const versionId = p.policyArn ? (versions.get(p.policyArn) ?? null) : null;
      paths.set(key, { path: { ...p, versionId }, revision: versionId ?? revisions.get(key) ?? "" });
    };
    for (const [key, p] of own) add(key, p);
    for (const g of memberOf) {
      const group = groups.get(g);
      for (const [sourceKey, p] of group?.paths ?? []) add(pathKey(sourceKey, g), { ...p, viaGroupId: g, viaGroupName: group!.name });
    }
    return { principalId, paths, groupIds: new Set(memberOf) };
  };

  const out: PermissionsChange[] = [];
  let before = current();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    apply(event);
    // A command's events commit together: fold the rest of its events before comparing.
    const next = events[i + 1];
    if (next && next.metadata.requestId === event.metadata.requestId) continue;
    const now = current();
    if (event.position > after) {
      const diff = diffSets(before, now);
      const existence = (before.principalId !== undefined) !== (now.principalId !== undefined);
      if (!isEmptyDiff(diff) || existence) {
        out.push({ position: event.position, principalArn, cause: causeOf(firstOfCommand(events, i)), ...diff, principalExists: now.principalId !== undefined });
      }
    }
    before = now;
  }
  return out;

  function apply(e: StoredEvent): void {
    switch (e.type) {
      case "UserCreated":
        principalId = e.data.userId;
        return reset();
      case "RoleCreated":
        principalId = e.data.roleId;
        return reset();
      case "UserDeleted":
      case "RoleDeleted":
        principalId = undefined;
        return reset();
      case "GroupCreated":
        groups.set(e.data.groupId, { name: e.data.groupName, paths: new Map() });
        return;
      case "GroupUpdated": {
        const g = groups.get(e.data.groupId);
        if (g) g.name = e.data.newGroupName;
        return;
      }
      case "UserAddedToGroup":
        memberOf.add(e.data.groupId);
        return;
      case "UserRemovedFromGroup":
        memberOf.delete(e.data.groupId);
        return;
      case "PolicyCreated":
        versions.set(e.data.arn, e.data.versionId);
        return;
      case "PolicyDefaultVersionSet":
        versions.set(e.data.arn, e.data.versionId);
        return;
      case "ManagedPolicyAttached":
      case "ManagedPolicyDetached":
      case "InlinePolicyPut":
      case "InlinePolicyDeleted": {
        const { entityType, entityId } = e.data;
        const managed = e.type === "ManagedPolicyAttached" || e.type === "ManagedPolicyDetached";
        const sourceKey = managed ? `managed:${e.data.policyArn}` : `inline:${entityType}:${entityId}:${e.data.policyName}`;
        const target = entityType === "group" ? groups.get(entityId)?.paths : own;
        const key = entityType === "group" ? sourceKey : pathKey(sourceKey, "");
        if (!target) return;
        if (e.type === "ManagedPolicyDetached" || e.type === "InlinePolicyDeleted") {
          target.delete(key);
          return;
        }
        target.set(key, {
          kind: managed ? "managed" : "inline",
          policyArn: managed ? e.data.policyArn : null,
          policyName: e.data.policyName,
          ownerType: entityType,
          ownerId: entityId,
          viaGroupId: null,
          viaGroupName: null,
          versionId: null,
        });
        if (!managed) revisions.set(entityType === "group" ? pathKey(sourceKey, entityId) : key, String(e.position));
        return;
      }
      case "PermissionsBoundaryPut":
      case "PermissionsBoundaryDeleted": {
        for (const [k, p] of own) if (p.kind === "boundary") own.delete(k);
        if (e.type === "PermissionsBoundaryDeleted") return;
        const { policyArn, entityType, entityId } = e.data;
        own.set(pathKey(`boundary:${policyArn}`, ""), {
          kind: "boundary",
          policyArn,
          policyName: policyArn.slice(policyArn.lastIndexOf("/") + 1),
          ownerType: entityType,
          ownerId: entityId,
          viaGroupId: null,
          viaGroupName: null,
          versionId: null,
        });
        return;
      }
      default:
        return;
    }
  }

  function reset(): void {
    own.clear();
    memberOf.clear();
  }
}

/** The first event of the command that event i belongs to. */
function firstOfCommand(events: readonly StoredEvent[], i: number): StoredEvent {
  let j = i;
  while (j > 0 && events[j - 1]!.metadata.requestId === events[i]!.metadata.requestId) j--;
  return events[j]!;
}

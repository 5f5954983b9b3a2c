import { effectivePaths, inlineSourceKey, pathKey } from "../domain/permissions/effective-paths.js";
import type { PermissionsHolder } from "../domain/permissions/state.js";
import { groupStreamId } from "../domain/shared/stream-ids.js";
import { toStoredEvent, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { absentSet, diffSets, isEmptyDiff, type KnownSet } from "./known-set.js";
import { causeOf, type PermissionsChange, type PolicyPath } from "./messages.js";

// The catch-up half of `permissionsChanged(after:)`. The projection only knows the present, so
// the principal's effective set is refolded from the log — its own stream, the streams of every
// group it was ever in, and the default-version moves of the managed policies any of them held —
// and each command after `after` that changed the set becomes one message. Only those streams
// are read, never the whole log.

const columns = `position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

type Rows = Parameters<typeof toStoredEvent>[0][];

interface Held {
  readonly attached: Set<string>;
  readonly inline: Set<string>;
}

const nothingHeld = (): Held => ({ attached: new Set(), inline: new Set() });

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
  let principal: { type: "user" | "role"; id: string } | undefined;
  let own = nothingHeld();
  let boundaryArn: string | undefined;
  const memberOf = new Set<string>();
  const groups = new Map<string, { name: string; held: Held }>();
  const versions = new Map<string, string>(); // policy ARN → default version
  const revisions = new Map<string, string>(); // inline source key → position of the last put

  // The set is the effective-policies rules (effective-paths.ts) over what each holder holds.
  const current = (): KnownSet => {
    if (!principal) return absentSet;
    const held = (type: PermissionsHolder, id: string, h: Held) => ({ type, id, attachedArns: h.attached, inlineNames: h.inline });
    const through = [...memberOf].flatMap((g) => {
      const group = groups.get(g);
      return group ? [held("group", g, group.held)] : [];
    });
    const paths = new Map<string, { path: PolicyPath; revision: string }>();
    for (const p of effectivePaths({ ...held(principal.type, principal.id, own), boundaryArn }, through)) {
      const versionId = p.policyArn ? (versions.get(p.policyArn) ?? null) : null;
      const path: PolicyPath = {
        kind: p.kind,
        policyArn: p.policyArn,
        policyName: p.policyName,
        ownerType: p.ownerType,
        ownerId: p.ownerId,
        viaGroupId: p.viaGroupId || null,
        viaGroupName: p.viaGroupId ? groups.get(p.viaGroupId)!.name : null,
        versionId,
      };
      paths.set(pathKey(p.sourceKey, p.viaGroupId), { path, revision: versionId ?? revisions.get(p.sourceKey) ?? "" });
    }
    return { principalId: principal.id, paths, groupIds: new Set(memberOf) };
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
        principal = { type: "user", id: e.data.userId };
        return reset();
      case "RoleCreated":
        principal = { type: "role", id: e.data.roleId };
        return reset();
      case "UserDeleted":
      case "RoleDeleted":
        principal = undefined;
        return reset();
      case "GroupCreated":
        groups.set(e.data.groupId, { name: e.data.groupName, held: nothingHeld() });
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
      case "PolicyDefaultVersionSet":
        versions.set(e.data.arn, e.data.versionId);
        return;
      case "ManagedPolicyAttached":
      case "ManagedPolicyDetached":
      case "InlinePolicyPut":
      case "InlinePolicyDeleted": {
        const { entityType, entityId } = e.data;
        const held = entityType === "group" ? groups.get(entityId)?.held : own;
        if (!held) return;
        if (e.type === "ManagedPolicyAttached") held.attached.add(e.data.policyArn);
        else if (e.type === "ManagedPolicyDetached") held.attached.delete(e.data.policyArn);
        else if (e.type === "InlinePolicyDeleted") held.inline.delete(e.data.policyName);
        else {
          held.inline.add(e.data.policyName);
          revisions.set(inlineSourceKey(entityType, entityId, e.data.policyName), String(e.position));
        }
        return;
      }
      case "PermissionsBoundaryPut":
        boundaryArn = e.data.policyArn;
        return;
      case "PermissionsBoundaryDeleted":
        boundaryArn = undefined;
        return;
      default:
        return;
    }
  }

  function reset(): void {
    own = nothingHeld();
    boundaryArn = undefined;
    memberOf.clear();
  }
}

/** The first event of the command that event i belongs to. */
function firstOfCommand(events: readonly StoredEvent[], i: number): StoredEvent {
  let j = i;
  while (j > 0 && events[j - 1]!.metadata.requestId === events[i]!.metadata.requestId) j--;
  return events[j]!;
}

import { foldWorldInPlace, emptyWorld, type World } from "../history/world.js";
import { readAll, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { AccountState, GroupEntry, InlinePolicy, PolicyEntry, RoleEntry, UserEntry } from "./model.js";

/**
 * iamgraph's state of the account at a position, in the snapshot's terms: the log up to the
 * position folded with the domain's own `evolve*` functions (history/world.ts), so an import's
 * diff, the export and history agree with the deciders by construction. Create dates are the
 * imported ones where the create event carries one, else the event's time.
 */
export async function accountStateAt(db: RawQueryable, accountId: string, position: number): Promise<AccountState> {
  let world: World = emptyWorld;
  const created = new Map<string, string>();
  for (let after = 0; after < position; ) {
    const page = (await readAll(db, after, 5000)).filter((e) => e.position <= position);
    if (page.length === 0) break;
    world = foldWorldInPlace(page, world);
    for (const e of page) noteDates(e, created);
    after = page.at(-1)!.position;
  }
  const dateOf = (key: string) => created.get(key) ?? new Date(0).toISOString();
  const inline = (m: ReadonlyMap<string, string>): InlinePolicy[] => [...m].map(([policyName, document]) => ({ policyName, document }));
  const attached = (p: { attached: readonly { policyArn: string }[] }) => p.attached.map((a) => a.policyArn);
  const out = { users: [] as UserEntry[], groups: [] as GroupEntry[], roles: [] as RoleEntry[], policies: [] as PolicyEntry[] };
  for (const [streamId, g] of world.groups) {
    if (g.status !== "active") continue;
    out.groups.push({ id: g.groupId, name: g.groupName, path: g.path, arn: g.arn, createDate: dateOf(streamId), attached: attached(g.permissions), inline: inline(g.permissions.inline) });
  }
  for (const [streamId, u] of world.users) {
    if (u.status !== "active") continue;
    out.users.push({
      id: u.userId, name: u.userName, path: u.path, arn: u.arn, createDate: dateOf(streamId),
      attached: attached(u.permissions), inline: inline(u.permissions.inline), groups: u.groups.map((m) => m.groupId), tags: u.tags,
      ...(u.permissions.boundaryArn ? { boundary: u.permissions.boundaryArn } : {}),
    });
  }
  for (const [streamId, r] of world.roles) {
    if (r.status !== "active") continue;
    out.roles.push({
      id: r.roleId, name: r.roleName, path: r.path, arn: r.arn, createDate: dateOf(streamId), trustPolicy: r.assumeRolePolicyDocument,
      attached: attached(r.permissions), inline: inline(r.permissions.inline), tags: r.tags,
      ...(r.permissions.boundaryArn ? { boundary: r.permissions.boundaryArn } : {}),
    });
  }
  for (const [streamId, p] of world.policies) {
    if (p.status !== "active") continue;
    out.policies.push({
      id: p.policyId, name: p.policyName, path: p.path, arn: p.arn, createDate: dateOf(streamId), description: p.description, defaultVersionId: p.defaultVersionId,
      versions: p.versions.map((v) => ({ versionId: v.versionId, document: v.document, createDate: dateOf(`${streamId}#${v.versionId}`) })),
    });
  }
  return { accountId, ...out };
}

/** Create dates of entities (by stream) and policy versions (by stream#version). */
function noteDates(e: StoredEvent, created: Map<string, string>): void {
  const at = e.occurredAt.toISOString();
  switch (e.type) {
    case "UserCreated":
    case "GroupCreated":
    case "RoleCreated":
      created.set(e.streamId, e.data.createDate ?? at);
      return;
    case "PolicyCreated":
      created.set(e.streamId, e.data.createDate ?? at);
      created.set(`${e.streamId}#${e.data.versionId}`, e.data.versionCreateDate ?? e.data.createDate ?? at);
      return;
    case "PolicyVersionCreated":
      created.set(`${e.streamId}#${e.data.versionId}`, e.data.createDate ?? at);
      return;
    default:
  }
}

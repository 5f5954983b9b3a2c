import type { Command } from "../app/command.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { nameLimits } from "../domain/shared/names.js";
import { tagKey, type Tag } from "../domain/shared/tags.js";
import { orderRenames } from "./rename-order.js";
import { sameDocument, type AccountState, type GroupEntry, type InlinePolicy, type PolicyEntry, type RoleEntry, type UserEntry } from "./model.js";

export interface AccountDiff {
  readonly commands: readonly Command[];
}

type Holder = "user" | "group" | "role";

/**
 * The commands that take `current` to `target` — the same commands the GraphQL mutations send —
 * matched by AWS id, so a rename is a rename. Ordered so each is valid after its predecessors:
 * what goes is detached and deleted first (under the names it has now), then renames, new
 * policies and versions, new entities, then what is added, and unused policies last. Equal
 * states give no command.
 */
export function diffAccount(current: AccountState, target: AccountState): AccountDiff {
  const out: Command[] = [];
  const byId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((e) => [e.id, e]));
  const next = { users: byId(target.users), groups: byId(target.groups), roles: byId(target.roles), policies: byId(target.policies) };
  const now = { users: byId(current.users), groups: byId(current.groups), roles: byId(current.roles), policies: byId(current.policies) };
  const groupName = (id: string) => (next.groups.get(id) ?? now.groups.get(id))!.name;
  const currentGroupName = (id: string) => now.groups.get(id)!.name;

  // 1. Removals, under current names; then what is gone entirely.
  for (const u of current.users) {
    const t = next.users.get(u.id);
    for (const g of u.groups) if (!t?.groups.includes(g)) out.push({ type: "RemoveUserFromGroup", userName: u.name, groupName: currentGroupName(g) });
    removals(out, "user", u, t);
  }
  for (const g of current.groups) removals(out, "group", g, next.groups.get(g.id));
  for (const r of current.roles) removals(out, "role", r, next.roles.get(r.id));
  for (const u of current.users) if (!next.users.has(u.id)) out.push({ type: "DeleteUser", userName: u.name });
  for (const g of current.groups) if (!next.groups.has(g.id)) out.push({ type: "DeleteGroup", groupName: g.name });
  for (const r of current.roles) if (!next.roles.has(r.id)) out.push({ type: "DeleteRole", roleName: r.name });

  // 2. Renames and moves (same id, new name or path), in an order where no name is taken twice
  //    at once (rename-order.ts: swaps go through a temporary name). AWS cannot rename roles or policies.
  for (const s of renameSteps(current.users, next.users, nameLimits.user)) {
    out.push({ type: "UpdateUser", userName: s.from, ...(s.to !== s.from ? { newUserName: s.to } : {}), ...(s.newPath !== undefined ? { newPath: s.newPath } : {}) });
  }
  for (const s of renameSteps(current.groups, next.groups, nameLimits.group)) {
    out.push({ type: "UpdateGroup", groupName: s.from, ...(s.to !== s.from ? { newGroupName: s.to } : {}), ...(s.newPath !== undefined ? { newPath: s.newPath } : {}) });
  }
  for (const [kind, list, byId] of [["role", current.roles, next.roles], ["policy", current.policies, next.policies]] as const) {
    for (const c of list) {
      const t = byId.get(c.id);
      if (t && (t.name !== c.name || t.path !== c.path)) {
        throw new DomainError("InvalidInput", `The ${kind} ${c.id} is ${c.path}${c.name} in iamgraph and ${t.path}${t.name} in the snapshot: AWS cannot rename or move a ${kind}, so the file was edited. Nothing was imported.`);
      }
    }
  }

  // 3. Customer-managed policies and their versions, before anything attaches them.
  for (const p of target.policies) policyChanges(out, now.policies.get(p.id), p);

  // 4. New entities, with AWS's ids and create dates.
  for (const g of target.groups) if (!now.groups.has(g.id)) out.push({ type: "CreateGroup", groupName: g.name, path: g.path, imported: { id: g.id, createDate: g.createDate } });
  for (const u of target.users) if (!now.users.has(u.id)) out.push({ type: "CreateUser", userName: u.name, path: u.path, tags: u.tags, imported: { id: u.id, createDate: u.createDate } });
  for (const r of target.roles) {
    if (now.roles.has(r.id)) continue;
    out.push({ type: "CreateRole", roleName: r.name, path: r.path, assumeRolePolicyDocument: r.trustPolicy, description: "", maxSessionDuration: 3600, tags: r.tags, imported: { id: r.id, createDate: r.createDate } });
  }

  // 5. Additions, under the target names.
  for (const u of target.users) {
    const c = now.users.get(u.id);
    for (const g of u.groups) if (!c?.groups.includes(g)) out.push({ type: "AddUserToGroup", userName: u.name, groupName: groupName(g) });
    additions(out, "user", u, c);
    if (c) tagChanges(out, "user", u.name, c.tags, u.tags);
  }
  for (const g of target.groups) additions(out, "group", g, now.groups.get(g.id));
  for (const r of target.roles) {
    const c = now.roles.get(r.id);
    if (c && !sameDocument(c.trustPolicy, r.trustPolicy)) out.push({ type: "UpdateAssumeRolePolicy", roleName: r.name, policyDocument: r.trustPolicy });
    additions(out, "role", r, c);
    if (c) tagChanges(out, "role", r.name, c.tags, r.tags);
  }

  // 6. Policies no longer in the account: their other versions, then the policy.
  for (const p of current.policies) {
    if (next.policies.has(p.id)) continue;
    for (const v of p.versions) if (v.versionId !== p.defaultVersionId) out.push({ type: "DeletePolicyVersion", policyArn: p.arn, versionId: v.versionId });
    out.push({ type: "DeletePolicy", policyArn: p.arn });
  }
  return { commands: out };
}

/** The renames from `current` to `target` of users or groups kept (by id), ordered by orderRenames. */
function renameSteps<T extends { id: string; name: string; path: string }>(current: readonly T[], target: ReadonlyMap<string, T>, maxNameLength: number) {
  const kept = current.filter((c) => target.has(c.id));
  const renames = kept.flatMap((c) => {
    const t = target.get(c.id)!;
    return t.name !== c.name || t.path !== c.path ? [{ id: c.id, from: c.name, to: t.name, ...(t.path !== c.path ? { newPath: t.path } : {}) }] : [];
  });
  return orderRenames(renames, new Map(kept.map((c) => [c.id, c.name])), maxNameLength);
}

type HolderEntry = UserEntry | GroupEntry | RoleEntry;
const nameOf = (kind: Holder, e: HolderEntry) => ({ entityType: kind, entityName: e.name });
const boundaryOf = (e: HolderEntry | undefined) => (e && "boundary" in e ? e.boundary : undefined);

function removals(out: Command[], kind: Holder, c: HolderEntry, t: HolderEntry | undefined): void {
  for (const arn of c.attached) if (!t?.attached.includes(arn)) out.push({ type: "DetachPolicy", ...nameOf(kind, c), policyArn: arn });
  for (const p of c.inline) if (!t?.inline.some((q) => q.policyName === p.policyName)) out.push({ type: "DeleteInlinePolicy", ...nameOf(kind, c), policyName: p.policyName });
  if (kind !== "group" && boundaryOf(c) && !boundaryOf(t)) out.push({ type: "DeletePermissionsBoundary", entityType: kind, entityName: c.name });
}

function additions(out: Command[], kind: Holder, t: HolderEntry, c: HolderEntry | undefined): void {
  for (const arn of t.attached) if (!c?.attached.includes(arn)) out.push({ type: "AttachPolicy", ...nameOf(kind, t), policyArn: arn });
  for (const p of t.inline) if (!sameInline(c?.inline, p)) out.push({ type: "PutInlinePolicy", ...nameOf(kind, t), policyName: p.policyName, policyDocument: p.document });
  const boundary = boundaryOf(t);
  if (kind !== "group" && boundary && boundary !== boundaryOf(c)) out.push({ type: "PutPermissionsBoundary", entityType: kind, entityName: t.name, policyArn: boundary });
}

const sameInline = (list: readonly InlinePolicy[] | undefined, p: InlinePolicy) => list?.some((q) => q.policyName === p.policyName && sameDocument(q.document, p.document)) ?? false;

function policyChanges(out: Command[], c: PolicyEntry | undefined, t: PolicyEntry): void {
  const arn = t.arn;
  if (!c) {
    const [first, ...rest] = t.versions;
    out.push({
      type: "CreatePolicy", policyName: t.name, path: t.path, policyDocument: first!.document, description: t.description, tags: [],
      imported: { id: t.id, createDate: t.createDate, versionId: first!.versionId, versionCreateDate: first!.createDate },
    });
    for (const v of rest) out.push({ type: "CreatePolicyVersion", policyArn: arn, policyDocument: v.document, setAsDefault: v.versionId === t.defaultVersionId, imported: { versionId: v.versionId, createDate: v.createDate } });
    return;
  }
  const has = (p: PolicyEntry, id: string) => p.versions.some((v) => v.versionId === id);
  // Deleted versions first (room under the 5-version quota); the current default only once another is default.
  for (const v of c.versions) if (!has(t, v.versionId) && v.versionId !== c.defaultVersionId) out.push({ type: "DeletePolicyVersion", policyArn: arn, versionId: v.versionId });
  let defaultId = c.defaultVersionId;
  for (const v of t.versions) {
    if (has(c, v.versionId)) continue;
    const setAsDefault = v.versionId === t.defaultVersionId;
    out.push({ type: "CreatePolicyVersion", policyArn: arn, policyDocument: v.document, setAsDefault, imported: { versionId: v.versionId, createDate: v.createDate } });
    if (setAsDefault) defaultId = v.versionId;
  }
  if (defaultId !== t.defaultVersionId) out.push({ type: "SetDefaultPolicyVersion", policyArn: arn, versionId: t.defaultVersionId });
  if (!has(t, c.defaultVersionId)) out.push({ type: "DeletePolicyVersion", policyArn: arn, versionId: c.defaultVersionId });
}

/** UntagUser/UntagRole for keys gone (compared ignoring case), then TagUser/TagRole for tags new or with a new value or spelling. */
function tagChanges(out: Command[], kind: "user" | "role", name: string, current: readonly Tag[], target: readonly Tag[]): void {
  const keys = new Set(target.map((t) => tagKey(t.key)));
  const removed = current.filter((t) => !keys.has(tagKey(t.key))).map((t) => t.key);
  const changed = target.filter((t) => !current.some((c) => c.key === t.key && c.value === t.value));
  if (removed.length > 0) out.push(kind === "user" ? { type: "UntagUser", userName: name, tagKeys: removed } : { type: "UntagRole", roleName: name, tagKeys: removed });
  if (changed.length > 0) out.push(kind === "user" ? { type: "TagUser", userName: name, tags: changed } : { type: "TagRole", roleName: name, tags: changed });
}

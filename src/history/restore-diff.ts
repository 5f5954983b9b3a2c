import type { PermissionsCommand } from "../domain/permissions/decide.js";
import type { PermissionsState } from "../domain/permissions/state.js";
import type { UserCommand } from "../domain/users/decide.js";

// The compensating commands that bring what a user or role holds back to an earlier state: pure,
// from the state then, the state now, and what still exists now (looked up by the caller).

/** What a user or role holds, as its own stream folds it. */
export interface HolderSnapshot {
  readonly kind: "user" | "role";
  /** Its name now: the commands address it by name. */
  readonly name: string;
  /** Users only; empty for roles. */
  readonly groups: readonly { readonly groupId: string; readonly groupName: string }[];
  readonly permissions: PermissionsState;
}

/** Facts about the present the diff cannot see in the two snapshots. */
export interface Present {
  /** A group's name now, by id; undefined when it no longer exists. */
  readonly groupName: (groupId: string) => string | undefined;
  /** Whether a managed policy (AWS or customer) exists now. */
  readonly policyExists: (arn: string) => boolean;
}

export type RestoreCommand = PermissionsCommand | Extract<UserCommand, { type: "AddUserToGroup" | "RemoveUserFromGroup" }>;

/** A part of the earlier state that cannot be brought back, and why. */
export interface SkippedRestore {
  /**
   * The command that would have restored it; or, for what changed outside the principal (a
   * shared policy's default version, a group's own policies), the command that changed it.
   */
  readonly change: RestoreCommand["type"] | "SetDefaultPolicyVersion" | "GroupPolicyChange";
  /** The group name, policy ARN or inline policy name it concerns. */
  readonly subject: string;
  readonly reason: string;
}

/**
 * Removals first, then additions — so quotas (10 groups per user, 10 managed policies per
 * holder, the inline size budget) are never exceeded midway when the earlier state fits them —
 * and within each kind in the order the earlier state held them.
 */
export function compensatingCommands(then: HolderSnapshot, now: HolderSnapshot, present: Present): { commands: RestoreCommand[]; skipped: SkippedRestore[] } {
  const holder = { entityType: now.kind, entityName: now.name } as const;
  const removals: RestoreCommand[] = [];
  const additions: RestoreCommand[] = [];
  const skipped: SkippedRestore[] = [];

  const groupsThen = new Set(then.groups.map((g) => g.groupId));
  const groupsNow = new Set(now.groups.map((g) => g.groupId));
  for (const g of now.groups) if (!groupsThen.has(g.groupId)) removals.push({ type: "RemoveUserFromGroup", userName: now.name, groupName: g.groupName });
  for (const g of then.groups) {
    if (groupsNow.has(g.groupId)) continue;
    const name = present.groupName(g.groupId);
    if (name === undefined) skipped.push({ change: "AddUserToGroup", subject: g.groupName, reason: `The group ${g.groupName} (${g.groupId}) has been deleted since; a group of the same name created later is another group.` });
    else additions.push({ type: "AddUserToGroup", userName: now.name, groupName: name });
  }

  const attachedThen = new Set(then.permissions.attached.map((a) => a.policyArn));
  const attachedNow = new Set(now.permissions.attached.map((a) => a.policyArn));
  for (const a of now.permissions.attached) if (!attachedThen.has(a.policyArn)) removals.push({ type: "DetachPolicy", ...holder, policyArn: a.policyArn });
  for (const a of then.permissions.attached) {
    if (attachedNow.has(a.policyArn)) continue;
    if (present.policyExists(a.policyArn)) additions.push({ type: "AttachPolicy", ...holder, policyArn: a.policyArn });
    else skipped.push({ change: "AttachPolicy", subject: a.policyArn, reason: `The managed policy ${a.policyArn} no longer exists.` });
  }

  for (const name of now.permissions.inline.keys()) if (!then.permissions.inline.has(name)) removals.push({ type: "DeleteInlinePolicy", ...holder, policyName: name });
  for (const [name, document] of then.permissions.inline) {
    if (now.permissions.inline.get(name) !== document) additions.push({ type: "PutInlinePolicy", ...holder, policyName: name, policyDocument: document });
  }

  const boundaryThen = then.permissions.boundaryArn;
  const boundaryNow = now.permissions.boundaryArn;
  const entityType = now.kind;
  if (boundaryThen === undefined && boundaryNow !== undefined) removals.push({ type: "DeletePermissionsBoundary", entityType, entityName: now.name });
  if (boundaryThen !== undefined && boundaryThen !== boundaryNow) {
    if (present.policyExists(boundaryThen)) additions.push({ type: "PutPermissionsBoundary", entityType, entityName: now.name, policyArn: boundaryThen });
    // The boundary in place now stays: removing it would grant more than either state did.
    else skipped.push({ change: "PutPermissionsBoundary", subject: boundaryThen, reason: `The boundary policy ${boundaryThen} no longer exists; the current boundary is left in place.` });
  }
  return { commands: [...removals, ...additions], skipped };
}

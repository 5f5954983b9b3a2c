import { randomUUID } from "node:crypto";
import { evolveGroup, initialGroupState, type GroupState } from "../domain/groups/state.js";
import { evolveRole, initialRoleState } from "../domain/roles/state.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { groupStreamId } from "../domain/shared/stream-ids.js";
import { evolveUser, initialUserState } from "../domain/users/state.js";
import { headPosition, type RawQueryable } from "../eventstore/read.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { kindOfArn, readStreams, resolvePoint, type AsOf, type Point } from "../history/load.js";
import { compensatingCommands, type HolderSnapshot, type RestoreCommand, type SkippedRestore } from "../history/restore-diff.js";
import { entityAt } from "../history/state-at.js";
import { findAwsManagedPolicy, isAwsManagedPolicyArn } from "../policy/aws-managed-policies.js";
import type { CommandPipeline, CommandResult, RequestContext } from "./command-pipeline.js";
import { previewChanges, type ChangePreview } from "./preview-change.js";

// restorePrincipal: bring what a user or role holds — memberships, attached managed policies,
// inline policies, boundary — back to its state at an earlier point, by ordinary new commands.
// History is never rewritten: the restore is itself a set of events, by the caller, now.

export interface RestorePlan {
  /** The principal's ARN now (a user renamed since keeps its stream, not its ARN). */
  readonly principalArn: string;
  readonly principalType: "user" | "role";
  readonly point: Point;
  readonly commands: readonly RestoreCommand[];
  readonly skipped: readonly SkippedRestore[];
}

/**
 * The compensating commands for one principal. The principal is the one that held the ARN at the
 * point (its stream), and it must still exist: restoring into a principal re-created since under
 * the same name would hand an earlier identity's permissions to a different one.
 */
export async function planRestore(db: RawQueryable, principalArn: string, asOf: AsOf): Promise<RestorePlan> {
  const kind = kindOfArn(principalArn);
  if (kind !== "user" && kind !== "role") throw new DomainError("InvalidInput", `Only a user or role can be restored; ${principalArn} is neither.`);
  const point = await resolvePoint(db, asOf); // refuses a point past the head
  const head = await headPosition(db);
  const then = await entityAt(db, kind, "arn", principalArn, point.position);
  if (!then) throw new DomainError("NoSuchEntity", `No ${kind} ${principalArn} existed at position ${point.position}.`);
  const stream = await readStreams(db, [then.streamId]);
  const nowState = kind === "user" ? stream.reduce(evolveUser, initialUserState) : stream.reduce(evolveRole, initialRoleState);
  if (nowState.status !== "active") {
    throw new DomainError("NoSuchEntity", `The ${kind} ${principalArn} of position ${point.position} has been deleted since; there is nothing to restore it into.`);
  }
  const past = snapshot(then.state as typeof nowState);
  const now = snapshot(nowState);

  // What still exists, for the groups and policies the earlier state held.
  const groupsNow = new Map<string, GroupState>();
  for (const g of past.groups) groupsNow.set(g.groupId, await groupState(db, g.groupId));
  const policiesNow = new Map<string, boolean>();
  for (const arn of [...past.permissions.attached.map((a) => a.policyArn), ...(past.permissions.boundaryArn ? [past.permissions.boundaryArn] : [])]) {
    // The builtin catalogue lives beside the log; the full one (and customer policies) in it.
    policiesNow.set(arn, findAwsManagedPolicy(arn) !== undefined || (await entityAt(db, "policy", "arn", arn, head)) !== undefined);
  }
  const { commands, skipped } = compensatingCommands(past, now, {
    groupName: (id) => {
      const g = groupsNow.get(id);
      return g?.status === "active" ? g.groupName : undefined;
    },
    policyExists: (arn) => policiesNow.get(arn) ?? false,
  });
  const drift = await sharedDrift(db, past, point.position, head, groupsNow);
  return { principalArn: nowState.arn, principalType: kind, point, commands, skipped: [...skipped, ...drift] };
}

/** What the commands would do, with the blast radius: the pipeline rehearses them (authorized as for real) and rolls back. */
export async function previewRestore(pipeline: CommandPipeline, prisma: PrismaClient, plan: RestorePlan, request: RequestContext, actions?: readonly string[]): Promise<ChangePreview> {
  if (plan.commands.length === 0) return { position: await headPosition(prisma), events: [], principalsConsidered: 0, flips: [] };
  return previewChanges(pipeline, plan.commands, request, actions);
}

/** Applies the commands all or nothing, each authorized under the write lock; every event records the caller and one correlation id. */
export async function applyRestore(pipeline: CommandPipeline, prisma: PrismaClient, plan: RestorePlan, request: RequestContext): Promise<CommandResult & { correlationId: string }> {
  const correlationId = randomUUID();
  if (plan.commands.length === 0) return { position: await headPosition(prisma), events: [], correlationId };
  return { ...(await pipeline.handleAll(plan.commands, { ...request, correlationId })), correlationId };
}

function snapshot(state: Extract<ReturnType<typeof evolveUser> | ReturnType<typeof evolveRole>, { status: "active" }>): HolderSnapshot {
  return "userName" in state
    ? { kind: "user", name: state.userName, groups: state.groups, permissions: state.permissions }
    : { kind: "role", name: state.roleName, groups: [], permissions: state.permissions };
}

async function groupState(db: RawQueryable, groupId: string, upTo?: number): Promise<GroupState> {
  return (await readStreams(db, [groupStreamId(groupId)], upTo)).reduce(evolveGroup, initialGroupState);
}

/**
 * What changed since the point outside the principal, so restoring the principal cannot bring it
 * back: a customer-managed policy it held whose default version moved, a group it is brought
 * back into whose own policies changed. Reported, never changed: each is shared with others.
 */
async function sharedDrift(db: RawQueryable, past: HolderSnapshot, position: number, head: number, groupsNow: ReadonlyMap<string, GroupState>): Promise<SkippedRestore[]> {
  const out: SkippedRestore[] = [];
  const arns = [...past.permissions.attached.map((a) => a.policyArn), ...(past.permissions.boundaryArn ? [past.permissions.boundaryArn] : [])];
  for (const arn of new Set(arns)) {
    if (isAwsManagedPolicyArn(arn)) continue;
    const [then, now] = [await entityAt(db, "policy", "arn", arn, position), await entityAt(db, "policy", "arn", arn, head)];
    if (then?.state.status !== "active" || now?.state.status !== "active") continue;
    if (then.streamId !== now.streamId) {
      out.push({ change: "SetDefaultPolicyVersion", subject: arn, reason: `The policy ${arn} was deleted and re-created since; the one attached now is the new policy.` });
    } else if (then.state.defaultVersionId !== now.state.defaultVersionId) {
      out.push({
        change: "SetDefaultPolicyVersion",
        subject: arn,
        reason: `The default version of ${arn} moved from ${then.state.defaultVersionId} to ${now.state.defaultVersionId} since; it is shared by every holder, so restorePrincipal leaves it.`,
      });
    }
  }
  for (const g of past.groups) {
    const now = groupsNow.get(g.groupId);
    if (now?.status !== "active") continue;
    const then = await groupState(db, g.groupId, position);
    if (then.status === "active" && !samePermissions(then.permissions, now.permissions)) {
      out.push({ change: "GroupPolicyChange", subject: now.groupName, reason: `The group ${now.groupName}'s own policies changed since; they are shared by its members, so restorePrincipal leaves them.` });
    }
  }
  return out;
}

function samePermissions(a: HolderSnapshot["permissions"], b: HolderSnapshot["permissions"]): boolean {
  const arns = (p: HolderSnapshot["permissions"]) => p.attached.map((x) => x.policyArn).sort().join("\n");
  const inline = (p: HolderSnapshot["permissions"]) => JSON.stringify([...p.inline].sort(([x], [y]) => x.localeCompare(y)));
  return arns(a) === arns(b) && inline(a) === inline(b);
}

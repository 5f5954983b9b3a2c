import type { StoredEvent } from "../eventstore/stored-event.js";
import type { PolicySource } from "../policy/document.js";
import type { EvaluationResult, MatchedStatement } from "../policy/evaluate.js";
import { causeOf, type PermissionsChange, type PolicyPath } from "./messages.js";

// Which event of a command caused a change it made (issue 11, defect 6). A command — a restore
// especially, which is several commands sharing one request — can write many events, and the
// message must name the one that changed what the subscriber watches, not merely the first:
// a restore that detached a managed policy (@18) and then deleted the inline deny (@19) lifted
// the deny by the deletion @19. Pure: it reads only the events and the evaluation results.

/** The last of `events` that added, removed or changed one of `paths` (undefined: none did). */
export function eventChangingPaths(events: readonly StoredEvent[], paths: readonly PolicyPath[]): StoredEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (principalLifecycle(e) && paths.length > 0) return e;
    if (paths.some((p) => touchesPath(e, p))) return e;
  }
  return undefined;
}

/**
 * The last of `events` that touched a policy deciding the flip from `before` to `now`: the deny
 * that appeared or went away, else the allow that appeared or went away (boundary included).
 */
export function eventFlippingDecision(events: readonly StoredEvent[], before: EvaluationResult, now: EvaluationResult): StoredEvent | undefined {
  const deciding =
    now.decision === "explicitDeny"
      ? statementsOf(now)
      : before.decision === "explicitDeny"
        ? statementsOf(before)
        : now.decision === "allowed"
          ? statementsOf(now)
          : statementsOf(before);
  const sources = deciding.map((s) => s.source);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (principalLifecycle(e)) return e;
    if (sources.some((s) => touchesSource(e, s))) return e;
  }
  return undefined;
}

function statementsOf(r: EvaluationResult): MatchedStatement[] {
  return [...r.matchedStatements, ...(r.boundary?.matchedStatements ?? [])];
}

function principalLifecycle(e: StoredEvent): boolean {
  return e.type === "UserCreated" || e.type === "UserDeleted" || e.type === "RoleCreated" || e.type === "RoleDeleted";
}

function touchesPath(e: StoredEvent, p: PolicyPath): boolean {
  switch (e.type) {
    case "ManagedPolicyAttached":
    case "ManagedPolicyDetached":
      return p.kind === "managed" && e.data.policyArn === p.policyArn && e.data.entityId === p.ownerId;
    case "InlinePolicyPut":
    case "InlinePolicyDeleted":
      return p.kind === "inline" && e.data.policyName === p.policyName && e.data.entityType === p.ownerType && e.data.entityId === p.ownerId;
    case "PermissionsBoundaryPut":
    case "PermissionsBoundaryDeleted":
      return p.kind === "boundary" && e.data.entityId === p.ownerId;
    case "UserAddedToGroup":
    case "UserRemovedFromGroup":
      return p.viaGroupId === e.data.groupId;
    case "GroupUpdated":
      return p.viaGroupId === e.data.groupId;
    case "PolicyDefaultVersionSet":
      return p.policyArn === e.data.arn;
    default:
      return false;
  }
}

function touchesSource(e: StoredEvent, s: PolicySource): boolean {
  const heldBy = (type: string, name: string) => s.attachedTo.type === type && s.attachedTo.name === name;
  switch (e.type) {
    case "ManagedPolicyAttached":
    case "ManagedPolicyDetached":
      return s.kind === "managed" && s.role === "identity" && e.data.policyArn === s.policyArn && heldBy(e.data.entityType, e.data.entityName);
    case "InlinePolicyPut":
    case "InlinePolicyDeleted":
      return s.kind === "inline" && e.data.policyName === s.policyName && heldBy(e.data.entityType, e.data.entityName);
    case "PermissionsBoundaryPut":
    case "PermissionsBoundaryDeleted":
      return s.role === "boundary" && heldBy(e.data.entityType, e.data.entityName);
    case "UserAddedToGroup":
    case "UserRemovedFromGroup":
      return s.viaGroup?.name === e.data.groupName;
    case "PolicyDefaultVersionSet":
      return s.policyArn === e.data.arn;
    default:
      return false;
  }
}

/** The last position of the command (request) an event belongs to, within the batch. */
export function commandEnd(events: readonly StoredEvent[], event: StoredEvent): number {
  let end = event.position;
  for (const e of events) if (e.metadata.requestId === event.metadata.requestId && e.position > end) end = e.position;
  return end;
}

/** A folded change, its cause narrowed from the command's first event to the one that made it. */
export function withExactCause(change: PermissionsChange, events: readonly StoredEvent[]): PermissionsChange {
  const command = events.filter((e) => e.metadata.requestId === change.cause.requestId && e.position <= change.position);
  const cause = eventChangingPaths(command, [...change.entered, ...change.left, ...change.updated]);
  return cause ? { ...change, cause: causeOf(cause) } : change;
}

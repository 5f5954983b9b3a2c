import type { IamEvent } from "../../../events/catalogue.js";
import { DomainError } from "../shared/domain-error.js";

export type PermissionsHolder = "user" | "group" | "role";

/** What a user, group or role holds directly: attached managed policies, inline policies, a boundary. */
export interface PermissionsState {
  readonly attached: readonly { readonly policyArn: string; readonly policyName: string }[];
  /** Inline policies by name, with their document text. */
  readonly inline: ReadonlyMap<string, string>;
  /** Users and roles only. */
  readonly boundaryArn?: string;
}

export const noPermissions: PermissionsState = { attached: [], inline: new Map() };

export type PermissionsEvent = Extract<
  IamEvent,
  { type: "ManagedPolicyAttached" | "ManagedPolicyDetached" | "InlinePolicyPut" | "InlinePolicyDeleted" | "PermissionsBoundaryPut" | "PermissionsBoundaryDeleted" }
>;

export const permissionsEventTypes: ReadonlySet<string> = new Set<PermissionsEvent["type"]>([
  "ManagedPolicyAttached",
  "ManagedPolicyDetached",
  "InlinePolicyPut",
  "InlinePolicyDeleted",
  "PermissionsBoundaryPut",
  "PermissionsBoundaryDeleted",
]);

/** Events that change what a user, group or role holds (they live in the holder's stream). */
export function isPermissionsEvent(event: IamEvent): event is PermissionsEvent {
  return permissionsEventTypes.has(event.type);
}

/** Folds a permissions event of the holder's own stream. */
export function evolvePermissions(state: PermissionsState, event: IamEvent): PermissionsState {
  switch (event.type) {
    case "ManagedPolicyAttached":
      return { ...state, attached: [...state.attached, { policyArn: event.data.policyArn, policyName: event.data.policyName }] };
    case "ManagedPolicyDetached":
      return { ...state, attached: state.attached.filter((a) => a.policyArn !== event.data.policyArn) };
    case "InlinePolicyPut":
      return { ...state, inline: new Map(state.inline).set(event.data.policyName, event.data.document) };
    case "InlinePolicyDeleted": {
      const inline = new Map(state.inline);
      inline.delete(event.data.policyName);
      return { ...state, inline };
    }
    case "PermissionsBoundaryPut":
      return { ...state, boundaryArn: event.data.policyArn };
    case "PermissionsBoundaryDeleted": {
      const { boundaryArn: _dropped, ...rest } = state;
      return rest;
    }
    default:
      return state;
  }
}

/** AWS refuses to delete a user, group or role that still holds managed or inline policies. */
export function assertNoPolicies(state: PermissionsState): void {
  if (state.attached.length > 0) throw new DomainError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
  if (state.inline.size > 0) throw new DomainError("DeleteConflict", "Cannot delete entity, must delete policies first.");
}

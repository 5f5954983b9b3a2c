import type { IamEvent } from "../../../events/catalogue.js";
import { evolvePermissions, isPermissionsEvent, noPermissions, type PermissionsState } from "../permissions/state.js";
import { applyTags, removeTags, type Tag } from "../shared/tags.js";

export type RoleState =
  | { readonly status: "absent" }
  | {
      readonly status: "active";
      readonly roleId: string;
      readonly roleName: string;
      readonly path: string;
      readonly arn: string;
      readonly description: string;
      readonly maxSessionDuration: number;
      readonly assumeRolePolicyDocument: string;
      readonly tags: readonly Tag[];
      readonly permissions: PermissionsState;
    }
  | { readonly status: "deleted"; readonly roleId: string; readonly roleName: string };

export const initialRoleState: RoleState = { status: "absent" };

export function evolveRole(state: RoleState, event: IamEvent): RoleState {
  if (isPermissionsEvent(event)) {
    return state.status === "active" ? { ...state, permissions: evolvePermissions(state.permissions, event) } : state;
  }
  switch (event.type) {
    case "RoleCreated":
      return { status: "active", ...event.data, permissions: noPermissions };
    case "RoleAssumeRolePolicyUpdated":
      if (state.status !== "active") return state;
      return { ...state, assumeRolePolicyDocument: event.data.assumeRolePolicyDocument };
    case "RoleTagged":
      if (state.status !== "active") return state;
      return { ...state, tags: applyTags(state.tags, event.data.tags) };
    case "RoleUntagged":
      if (state.status !== "active") return state;
      return { ...state, tags: removeTags(state.tags, event.data.tagKeys) };
    case "RoleDeleted":
      return { status: "deleted", roleId: event.data.roleId, roleName: event.data.roleName };
    default:
      return state;
  }
}

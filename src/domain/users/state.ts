import type { IamEvent } from "../../../events/catalogue.js";
import { evolvePermissions, isPermissionsEvent, noPermissions, type PermissionsState } from "../permissions/state.js";
import { applyTags, removeTags, type Tag } from "../shared/tags.js";

export interface UserMembership {
  readonly groupId: string;
  readonly groupName: string;
}

export interface UserAccessKey {
  readonly accessKeyId: string;
  readonly status: "Active" | "Inactive";
}

export type UserState =
  | { readonly status: "absent" }
  | {
      readonly status: "active";
      readonly userId: string;
      readonly userName: string;
      readonly path: string;
      readonly arn: string;
      readonly tags: readonly Tag[];
      readonly groups: readonly UserMembership[];
      readonly permissions: PermissionsState;
      readonly accessKeys: readonly UserAccessKey[];
    }
  | { readonly status: "deleted"; readonly userId: string; readonly userName: string };

export const initialUserState: UserState = { status: "absent" };

/** Folds one event of a user's stream into its state. Events of other streams leave it unchanged. */
export function evolveUser(state: UserState, event: IamEvent): UserState {
  if (isPermissionsEvent(event)) {
    return state.status === "active" ? { ...state, permissions: evolvePermissions(state.permissions, event) } : state;
  }
  switch (event.type) {
    case "UserCreated":
      return { status: "active", ...event.data, groups: [], permissions: noPermissions, accessKeys: [] };
    case "UserUpdated":
      if (state.status !== "active") return state;
      return { ...state, userName: event.data.newUserName, path: event.data.newPath, arn: event.data.newArn };
    case "UserDeleted":
      return { status: "deleted", userId: event.data.userId, userName: event.data.userName };
    case "UserTagged":
      if (state.status !== "active") return state;
      return { ...state, tags: applyTags(state.tags, event.data.tags) };
    case "UserUntagged":
      if (state.status !== "active") return state;
      return { ...state, tags: removeTags(state.tags, event.data.tagKeys) };
    case "UserAddedToGroup":
      if (state.status !== "active") return state;
      return { ...state, groups: [...state.groups, { groupId: event.data.groupId, groupName: event.data.groupName }] };
    case "UserRemovedFromGroup":
      if (state.status !== "active") return state;
      return { ...state, groups: state.groups.filter((g) => g.groupId !== event.data.groupId) };
    case "AccessKeyCreated":
      if (state.status !== "active") return state;
      return { ...state, accessKeys: [...state.accessKeys, { accessKeyId: event.data.accessKeyId, status: event.data.status }] };
    case "AccessKeyStatusChanged":
      if (state.status !== "active") return state;
      return {
        ...state,
        accessKeys: state.accessKeys.map((k) => (k.accessKeyId === event.data.accessKeyId ? { ...k, status: event.data.status } : k)),
      };
    case "AccessKeyDeleted":
      if (state.status !== "active") return state;
      return { ...state, accessKeys: state.accessKeys.filter((k) => k.accessKeyId !== event.data.accessKeyId) };
    default:
      return state;
  }
}

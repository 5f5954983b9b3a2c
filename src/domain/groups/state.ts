import type { IamEvent } from "../../../events/catalogue.js";
import { evolvePermissions, isPermissionsEvent, noPermissions, type PermissionsState } from "../permissions/state.js";

export type GroupState =
  | { readonly status: "absent" }
  | {
      readonly status: "active";
      readonly groupId: string;
      readonly groupName: string;
      readonly path: string;
      readonly arn: string;
      readonly permissions: PermissionsState;
    }
  | { readonly status: "deleted"; readonly groupId: string; readonly groupName: string };

export const initialGroupState: GroupState = { status: "absent" };

export function evolveGroup(state: GroupState, event: IamEvent): GroupState {
  if (isPermissionsEvent(event)) {
    return state.status === "active" ? { ...state, permissions: evolvePermissions(state.permissions, event) } : state;
  }
  switch (event.type) {
    case "GroupCreated":
      return { status: "active", ...event.data, permissions: noPermissions };
    case "GroupUpdated":
      if (state.status !== "active") return state;
      return { ...state, groupName: event.data.newGroupName, path: event.data.newPath, arn: event.data.newArn };
    case "GroupDeleted":
      return { status: "deleted", groupId: event.data.groupId, groupName: event.data.groupName };
    default:
      return state;
  }
}

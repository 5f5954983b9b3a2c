import type { EventOfType } from "../../../events/catalogue.js";
import { entityArn } from "../shared/arn.js";
import { assertNever } from "../shared/assert-never.js";
import type { CommandMetadata } from "../shared/command-metadata.js";
import { DomainError, noSuchEntity } from "../shared/domain-error.js";
import { checkName, checkPath, nameLimits } from "../shared/names.js";
import { createDateOf, type Imported } from "../shared/imported.js";
import { checkQuota, quotaNoted } from "../shared/quotas.js";
import { checkTagKeys, checkTagQuota, checkTags, type Tag } from "../shared/tags.js";
import type { GroupState } from "../groups/state.js";
import type { UserState } from "./state.js";
import { boundaryAtCreation } from "../permissions/decide.js";
import { assertNoPolicies } from "../permissions/state.js";

export type UserCommand =
  | {
      readonly type: "CreateUser";
      readonly userName: string;
      readonly path: string;
      readonly tags: readonly Tag[];
      /** The managed policy's ARN to set as the new user's permissions boundary. */
      readonly permissionsBoundary?: string;
      readonly imported?: Imported;
    }
  | { readonly type: "UpdateUser"; readonly userName: string; readonly newUserName?: string; readonly newPath?: string }
  | { readonly type: "DeleteUser"; readonly userName: string }
  | { readonly type: "TagUser"; readonly userName: string; readonly tags: readonly Tag[] }
  | { readonly type: "UntagUser"; readonly userName: string; readonly tagKeys: readonly string[] }
  | { readonly type: "AddUserToGroup"; readonly userName: string; readonly groupName: string }
  | { readonly type: "RemoveUserFromGroup"; readonly userName: string; readonly groupName: string };

export type UserEvent =
  | EventOfType<"UserCreated" | "UserUpdated" | "UserDeleted" | "UserTagged" | "UserUntagged" | "UserAddedToGroup" | "UserRemovedFromGroup">
  | EventOfType<"PermissionsBoundaryPut">;

/** The facts beyond the user's own stream that the rules need, loaded by the command pipeline. */
export interface UserDecisionInput {
  readonly user: UserState;
  /** Membership commands: the named group. */
  readonly group?: GroupState;
  /** CreateUser / a rename: whether another user already holds the name (ignoring case). */
  readonly nameTaken?: boolean;
  /** CreateUser: users already in the account. */
  readonly usersInAccount?: number;
  /** CreateUser with a permissions boundary: the managed policy it names, if it exists. */
  readonly boundaryPolicy?: { readonly arn: string; readonly name: string };
}

// AWS quotas (reference_iam-quotas).
export const maxGroupsPerUser = 10;
export const maxUsersPerAccount = 5000;

const userNotFound = (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`);
const groupNotFound = (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`);

export function decideUser(command: UserCommand, input: UserDecisionInput, meta: CommandMetadata): UserEvent[] {
  const { user } = input;
  switch (command.type) {
    case "CreateUser": {
      checkName("userName", command.userName, nameLimits.user);
      checkPath("path", command.path);
      checkTags(command.tags);
      const tagsPast = checkTagQuota(meta, [], command.tags, "TagsPerUser");
      if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `User with name ${command.userName} already exists.`);
      const usersPast = checkQuota(meta, "UsersQuota", maxUsersPerAccount, (input.usersInAccount ?? 0) + 1, `Cannot exceed quota for UsersPerAccount: ${maxUsersPerAccount}`);
      const arn = entityArn(meta.accountId, "user", command.path, command.userName);
      const data = { userId: meta.newId, userName: command.userName, path: command.path, arn, tags: [...command.tags], ...createDateOf(command.imported) };
      return [
        { type: "UserCreated", data: { ...data, ...quotaNoted([...tagsPast, ...usersPast]) } },
        ...boundaryAtCreation("user", { id: meta.newId, name: command.userName }, command.permissionsBoundary, input.boundaryPolicy),
      ];
    }
    case "UpdateUser": {
      if (command.newUserName !== undefined) checkName("newUserName", command.newUserName, nameLimits.user);
      if (command.newPath !== undefined) checkPath("newPath", command.newPath);
      if (user.status !== "active") throw userNotFound(command.userName);
      const newUserName = command.newUserName ?? user.userName;
      const newPath = command.newPath ?? user.path;
      if (newUserName === user.userName && newPath === user.path) return [];
      if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `User with name ${newUserName} already exists.`);
      const newArn = entityArn(meta.accountId, "user", newPath, newUserName);
      return [{ type: "UserUpdated", data: { userId: user.userId, userName: user.userName, newUserName, newPath, newArn } }];
    }
    case "DeleteUser": {
      if (user.status !== "active") throw userNotFound(command.userName);
      // AWS DeleteUser: groups, inline and attached policies must go first. A permissions boundary
      // does not block it (the API reference does not list it; IAM-REFERENCE.md says otherwise).
      if (user.groups.length > 0) {
        throw new DomainError("DeleteConflict", "Cannot delete entity, must remove user from all groups first.");
      }
      assertNoPolicies(user.permissions);
      if (user.accessKeys.length > 0) throw new DomainError("DeleteConflict", "Cannot delete entity, must delete access keys first.");
      return [{ type: "UserDeleted", data: { userId: user.userId, userName: user.userName, arn: user.arn } }];
    }
    case "TagUser": {
      checkTags(command.tags);
      if (user.status !== "active") throw userNotFound(command.userName);
      const past = checkTagQuota(meta, user.tags, command.tags, "TagsPerUser");
      return [{ type: "UserTagged", data: { userId: user.userId, tags: [...command.tags], ...quotaNoted(past) } }];
    }
    case "UntagUser": {
      checkTagKeys(command.tagKeys);
      if (user.status !== "active") throw userNotFound(command.userName);
      return [{ type: "UserUntagged", data: { userId: user.userId, tagKeys: [...command.tagKeys] } }];
    }
    case "AddUserToGroup": {
      const group = input.group;
      if (!group || group.status !== "active") throw groupNotFound(command.groupName);
      if (user.status !== "active") throw userNotFound(command.userName);
      // AWS treats adding an existing member as success with nothing to change.
      if (user.groups.some((g) => g.groupId === group.groupId)) return [];
      const past = checkQuota(meta, "GroupsPerUserQuota", maxGroupsPerUser, user.groups.length + 1, `Cannot exceed quota for GroupsPerUser: ${maxGroupsPerUser}`);
      return [
        { type: "UserAddedToGroup", data: { userId: user.userId, userName: user.userName, groupId: group.groupId, groupName: group.groupName, ...quotaNoted(past) } },
      ];
    }
    case "RemoveUserFromGroup": {
      const group = input.group;
      if (!group || group.status !== "active") throw groupNotFound(command.groupName);
      if (user.status !== "active") throw userNotFound(command.userName);
      if (!user.groups.some((g) => g.groupId === group.groupId)) {
        throw noSuchEntity(`User ${user.userName} is not in group ${group.groupName}.`);
      }
      return [
        { type: "UserRemovedFromGroup", data: { userId: user.userId, userName: user.userName, groupId: group.groupId, groupName: group.groupName } },
      ];
    }
    default:
      return assertNever(command);
  }
}


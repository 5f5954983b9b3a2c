import { createDateOf, type Imported } from "../shared/imported.js";
import type { EventOfType } from "../../../events/catalogue.js";
import { entityArn } from "../shared/arn.js";
import { assertNever } from "../shared/assert-never.js";
import type { CommandMetadata } from "../shared/command-metadata.js";
import { DomainError, noSuchEntity } from "../shared/domain-error.js";
import { checkQuota, quotaNoted } from "../shared/quotas.js";
import { checkName, checkPath, nameLimits } from "../shared/names.js";
import type { GroupState } from "./state.js";
import { assertNoPolicies } from "../permissions/state.js";

export type GroupCommand =
  | { readonly type: "CreateGroup"; readonly groupName: string; readonly path: string; readonly imported?: Imported }
  | { readonly type: "UpdateGroup"; readonly groupName: string; readonly newGroupName?: string; readonly newPath?: string }
  | { readonly type: "DeleteGroup"; readonly groupName: string };

export type GroupEvent = EventOfType<"GroupCreated" | "GroupUpdated" | "GroupDeleted">;

export interface GroupDecisionInput {
  readonly group: GroupState;
  readonly nameTaken?: boolean;
  readonly groupsInAccount?: number;
  /** DeleteGroup: how many users are members. */
  readonly memberCount?: number;
}

export const maxGroupsPerAccount = 300;

const groupNotFound = (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`);

export function decideGroup(command: GroupCommand, input: GroupDecisionInput, meta: CommandMetadata): GroupEvent[] {
  const { group } = input;
  switch (command.type) {
    case "CreateGroup": {
      checkName("groupName", command.groupName, nameLimits.group);
      checkPath("path", command.path);
      if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `Group with name ${command.groupName} already exists.`);
      const past = checkQuota(meta, "GroupsQuota", maxGroupsPerAccount, (input.groupsInAccount ?? 0) + 1, `Cannot exceed quota for GroupsPerAccount: ${maxGroupsPerAccount}`);
      const arn = entityArn(meta.accountId, "group", command.path, command.groupName);
      return [
        { type: "GroupCreated", data: { groupId: meta.newId, groupName: command.groupName, path: command.path, arn, ...createDateOf(command.imported), ...quotaNoted(past) } },
      ];
    }
    case "UpdateGroup": {
      if (command.newGroupName !== undefined) checkName("newGroupName", command.newGroupName, nameLimits.group);
      if (command.newPath !== undefined) checkPath("newPath", command.newPath);
      if (group.status !== "active") throw groupNotFound(command.groupName);
      const newGroupName = command.newGroupName ?? group.groupName;
      const newPath = command.newPath ?? group.path;
      if (newGroupName === group.groupName && newPath === group.path) return [];
      if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `Group with name ${newGroupName} already exists.`);
      const newArn = entityArn(meta.accountId, "group", newPath, newGroupName);
      return [{ type: "GroupUpdated", data: { groupId: group.groupId, groupName: group.groupName, newGroupName, newPath, newArn } }];
    }
    case "DeleteGroup": {
      if (group.status !== "active") throw groupNotFound(command.groupName);
      if ((input.memberCount ?? 0) > 0) {
        throw new DomainError("DeleteConflict", "Cannot delete entity, must remove users from group first.");
      }
      assertNoPolicies(group.permissions);
      return [{ type: "GroupDeleted", data: { groupId: group.groupId, groupName: group.groupName, arn: group.arn } }];
    }
    default:
      return assertNever(command);
  }
}

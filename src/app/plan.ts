import { decideGroup } from "../domain/groups/decide.js";
import type { GroupState } from "../domain/groups/state.js";
import { assertNever } from "../domain/shared/assert-never.js";
import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import { decideUser, type UserDecisionInput } from "../domain/users/decide.js";
import type { StreamAppend } from "../eventstore/stored-event.js";
import type { Tx } from "../projections/projection.js";
import type { Command } from "./command.js";
import {
  groupNameTaken,
  groupStreamId,
  loadGroupByName,
  loadUserByName,
  userNameTaken,
  userStreamId,
  type Loaded,
} from "./load-state.js";

const absent = { state: { status: "absent" as const }, streamId: "", version: 0 };

/**
 * Loads what a command's rules need, asks the pure decider, and says where its events go.
 * Runs inside the pipeline's transaction, under the write lock.
 */
export async function planCommand(tx: Tx, command: Command, meta: CommandMetadata): Promise<StreamAppend[]> {
  const { accountId } = meta;
  switch (command.type) {
    case "CreateUser": {
      const input: UserDecisionInput = {
        user: { status: "absent" },
        nameTaken: await userNameTaken(tx, accountId, command.userName),
        usersInAccount: await tx.user.count({ where: { accountId } }),
      };
      const events = decideUser(command, input, meta);
      return [{ streamId: userStreamId(meta.newId), expectedVersion: "noStream", events }];
    }
    case "UpdateUser":
    case "DeleteUser":
    case "TagUser":
    case "UntagUser":
    case "AddUserToGroup":
    case "RemoveUserFromGroup": {
      const user = (await loadUserByName(tx, accountId, command.userName)) ?? absent;
      let group: Loaded<GroupState> | undefined;
      if (command.type === "AddUserToGroup" || command.type === "RemoveUserFromGroup") {
        group = (await loadGroupByName(tx, accountId, command.groupName)) ?? absent;
      }
      const exceptId = user.state.status === "active" ? user.state.userId : undefined;
      const nameTaken =
        command.type === "UpdateUser" && command.newUserName !== undefined
          ? await userNameTaken(tx, accountId, command.newUserName, exceptId)
          : undefined;
      const events = decideUser(command, { user: user.state, group: group?.state, nameTaken }, meta);
      return [{ streamId: user.streamId, expectedVersion: user.version, events }];
    }
    case "CreateGroup": {
      const events = decideGroup(
        command,
        {
          group: { status: "absent" },
          nameTaken: await groupNameTaken(tx, accountId, command.groupName),
          groupsInAccount: await tx.group.count({ where: { accountId } }),
        },
        meta,
      );
      return [{ streamId: groupStreamId(meta.newId), expectedVersion: "noStream", events }];
    }
    case "UpdateGroup":
    case "DeleteGroup": {
      const group = (await loadGroupByName(tx, accountId, command.groupName)) ?? absent;
      const groupId = group.state.status === "active" ? group.state.groupId : undefined;
      const nameTaken =
        command.type === "UpdateGroup" && command.newGroupName !== undefined
          ? await groupNameTaken(tx, accountId, command.newGroupName, groupId)
          : undefined;
      const memberCount =
        command.type === "DeleteGroup" && groupId ? await tx.groupMembership.count({ where: { groupId } }) : undefined;
      const events = decideGroup(command, { group: group.state, nameTaken, memberCount }, meta);
      return [{ streamId: group.streamId, expectedVersion: group.version, events }];
    }
    default:
      return assertNever(command);
  }
}

import { decideAccessKey } from "../domain/access-keys/decide.js";
import { decideGroup } from "../domain/groups/decide.js";
import type { GroupState } from "../domain/groups/state.js";
import { assertNever } from "../domain/shared/assert-never.js";
import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import { groupStreamId, policyStreamId, roleStreamId, userStreamId } from "../domain/shared/stream-ids.js";
import { decidePermissions, type PermissionsHolderState } from "../domain/permissions/decide.js";
import type { PermissionsHolder } from "../domain/permissions/state.js";
import { decidePolicy } from "../domain/policies/decide.js";
import { decideRole } from "../domain/roles/decide.js";
import { decideUser, type UserDecisionInput } from "../domain/users/decide.js";
import type { StreamAppend } from "../eventstore/stored-event.js";
import type { Tx } from "../db/transaction.js";
import type { Command } from "./command.js";
import { decideOidcProvider, notFound, oidcUrlKey, urlKeyOfProviderArn } from "../domain/oidc-providers/decide.js";
import { isAwsManagedPolicyArn } from "../policy/aws-managed-policies.js";
import {
  groupNameTaken,
  loadGroupByName,
  loadOidcProvider,
  loadPolicyByArn,
  loadRoleByName,
  loadUserByName,
  nameTakenAndCount,
  userNameTaken,
  type Loaded,
} from "./load-state.js";

const absent = { state: { status: "absent" as const }, streamId: "", version: 0 };

/**
 * Loads what a command's rules need, asks the pure decider, and says where its events go.
 * Runs inside the pipeline's transaction, under the write lock.
 */
export async function loadAndDecide(tx: Tx, command: Command, meta: CommandMetadata): Promise<StreamAppend[]> {
  const { accountId } = meta;
  switch (command.type) {
    case "CreateUser": {
      const { nameTaken, count } = await nameTakenAndCount(tx, "user", accountId, command.userName);
      const boundaryPolicy = command.permissionsBoundary === undefined ? undefined : await findManagedPolicy(tx, command.permissionsBoundary);
      const input: UserDecisionInput = { user: { status: "absent" }, nameTaken, usersInAccount: count, boundaryPolicy };
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
    case "CreateAccessKey":
    case "UpdateAccessKey":
    case "DeleteAccessKey": {
      const user = (await loadUserByName(tx, accountId, command.userName)) ?? absent;
      return [{ streamId: user.streamId, expectedVersion: user.version, events: decideAccessKey(command, user.state) }];
    }
    case "CreateGroup": {
      const { nameTaken, count } = await nameTakenAndCount(tx, "group", accountId, command.groupName);
      const events = decideGroup(command, { group: { status: "absent" }, nameTaken, groupsInAccount: count }, meta);
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
    case "CreateRole": {
      const { nameTaken, count } = await nameTakenAndCount(tx, "role", accountId, command.roleName);
      const boundaryPolicy = command.permissionsBoundary === undefined ? undefined : await findManagedPolicy(tx, command.permissionsBoundary);
      const input = { role: { status: "absent" as const }, nameTaken, rolesInAccount: count, boundaryPolicy };
      return [{ streamId: roleStreamId(meta.newId), expectedVersion: "noStream", events: decideRole(command, input, meta) }];
    }
    case "UpdateAssumeRolePolicy":
    case "TagRole":
    case "UntagRole":
    case "DeleteRole": {
      const role = (await loadRoleByName(tx, accountId, command.roleName)) ?? absent;
      return [{ streamId: role.streamId, expectedVersion: role.version, events: decideRole(command, { role: role.state }, meta) }];
    }
    case "CreatePolicy": {
      const { nameTaken, count } = await nameTakenAndCount(tx, "policy", accountId, command.policyName);
      const input = { policy: { status: "absent" as const }, nameTaken, policiesInAccount: count };
      return [{ streamId: policyStreamId(meta.newId), expectedVersion: "noStream", events: decidePolicy(command, input, meta) }];
    }
    case "CreatePolicyVersion":
    case "SetDefaultPolicyVersion":
    case "DeletePolicyVersion":
    case "DeletePolicy":
    case "TagPolicy":
    case "UntagPolicy": {
      const policy = (await loadPolicyByArn(tx, command.policyArn)) ?? absent;
      const counts =
        command.type === "DeletePolicy"
          ? {
              attachmentCount: await tx.policyAttachment.count({ where: { policyArn: command.policyArn } }),
              boundaryUsageCount:
                (await tx.user.count({ where: { permissionsBoundaryArn: command.policyArn } })) +
                (await tx.role.count({ where: { permissionsBoundaryArn: command.policyArn } })),
            }
          : {};
      // loadPolicyByArn skips AWS-managed rows; only then is the AWS account's row looked up.
      const awsManaged =
        policy.state.status === "absent" &&
        isAwsManagedPolicyArn(command.policyArn) &&
        (await tx.policy.findUnique({ where: { arn: command.policyArn }, select: { isAwsManaged: true } }))?.isAwsManaged === true;
      const input = { policy: policy.state, awsManaged, ...counts };
      return [{ streamId: policy.streamId, expectedVersion: policy.version, events: decidePolicy(command, input, meta) }];
    }
    case "AttachPolicy":
    case "DetachPolicy":
    case "PutInlinePolicy":
    case "DeleteInlinePolicy":
    case "PutPermissionsBoundary":
    case "DeletePermissionsBoundary": {
      const holder = await loadHolder(tx, accountId, command.entityType, command.entityName);
      const policyArn = command.type === "AttachPolicy" || command.type === "PutPermissionsBoundary" ? command.policyArn : undefined;
      const policy = policyArn ? await findManagedPolicy(tx, policyArn) : undefined;
      const events = decidePermissions(command, { holder: holder?.holder, policy }, meta);
      return holder ? [{ streamId: holder.streamId, expectedVersion: holder.version, events }] : [];
    }
    case "CreateOpenIDConnectProvider": {
      const loaded = await loadOidcProvider(tx, oidcUrlKey(command.url));
      const providersInAccount = await tx.oidcProvider.count({ where: { accountId } });
      const events = decideOidcProvider(command, { provider: loaded.state, providersInAccount }, accountId);
      return [{ streamId: loaded.streamId, expectedVersion: loaded.version === 0 ? "noStream" : loaded.version, events }];
    }
    case "UpdateOpenIDConnectProviderThumbprint":
    case "AddClientIDToOpenIDConnectProvider":
    case "RemoveClientIDFromOpenIDConnectProvider":
    case "DeleteOpenIDConnectProvider": {
      const urlKey = urlKeyOfProviderArn(command.providerArn, accountId);
      if (urlKey === undefined) throw notFound(command.providerArn);
      const loaded = await loadOidcProvider(tx, urlKey);
      const events = decideOidcProvider(command, { provider: loaded.state }, accountId);
      return events.length > 0 ? [{ streamId: loaded.streamId, expectedVersion: loaded.version, events }] : [];
    }
    default:
      return assertNever(command);
  }
}

/** The user, group or role whose permissions a command changes, as the permissions decider sees it. */
async function loadHolder(
  tx: Tx,
  accountId: string,
  type: PermissionsHolder,
  name: string,
): Promise<{ holder: PermissionsHolderState; streamId: string; version: number } | undefined> {
  if (type === "user") {
    const loaded = await loadUserByName(tx, accountId, name);
    if (loaded?.state.status !== "active") return undefined;
    const s = loaded.state;
    return { holder: { id: s.userId, name: s.userName, permissions: s.permissions }, streamId: loaded.streamId, version: loaded.version };
  }
  if (type === "group") {
    const loaded = await loadGroupByName(tx, accountId, name);
    if (loaded?.state.status !== "active") return undefined;
    const s = loaded.state;
    return { holder: { id: s.groupId, name: s.groupName, permissions: s.permissions }, streamId: loaded.streamId, version: loaded.version };
  }
  const loaded = await loadRoleByName(tx, accountId, name);
  if (loaded?.state.status !== "active") return undefined;
  const s = loaded.state;
  return { holder: { id: s.roleId, name: s.roleName, permissions: s.permissions }, streamId: loaded.streamId, version: loaded.version };
}

/** A managed policy that can be attached: AWS-managed (account `aws`), or customer-managed in this account. */
async function findManagedPolicy(tx: Tx, arn: string): Promise<{ arn: string; name: string } | undefined> {
  const row = await tx.policy.findUnique({ where: { arn }, select: { arn: true, policyName: true } });
  return row ? { arn: row.arn, name: row.policyName } : undefined;
}

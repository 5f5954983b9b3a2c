import type { Command } from "../app/command.js";
import { userNameOrCaller, type Caller } from "../auth/caller.js";
import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy } from "../sts/revoke-sessions.js";

// Each mutation's arguments as the domain command it sends, defaults included — the one mapping:
// mutations send these (sendMutation in command-field.ts, the access-key resolvers), dry runs and
// previewChange rehearse these (types/preview-change.ts maps its ChangeInput onto these fields),
// and the pipeline authorizes exactly what it is sent (src/app/command-authorization.ts). The
// coverage test holds every mutation to one here.

type Args = Record<string, any>;

/**
 * What an omitted argument means (AWS's defaults). Stated here once: the schema shows them as
 * the arguments' `defaultValue` (types/*.ts import this), and the mapping below applies them to
 * an explicit null, which GraphQL passes through instead of the default.
 */
export const argumentDefaults = { path: "/", tags: [], description: "", maxSessionDuration: 3600, setAsDefault: false } as const;
const d = argumentDefaults;
type ToCommand = (args: Args, caller: Caller) => Command;

const holders = [
  ["User", "user", "userName"],
  ["Group", "group", "groupName"],
  ["Role", "role", "roleName"],
] as const;

const permissions: Record<string, ToCommand> = {};
for (const [Noun, entityType, nameArg] of holders) {
  permissions[`attach${Noun}Policy`] = (a) => ({ type: "AttachPolicy", entityType, entityName: a[nameArg], policyArn: a.policyArn });
  permissions[`detach${Noun}Policy`] = (a) => ({ type: "DetachPolicy", entityType, entityName: a[nameArg], policyArn: a.policyArn });
  permissions[`put${Noun}Policy`] = (a) => ({ type: "PutInlinePolicy", entityType, entityName: a[nameArg], policyName: a.policyName, policyDocument: a.policyDocument });
  permissions[`delete${Noun}Policy`] = (a) => ({ type: "DeleteInlinePolicy", entityType, entityName: a[nameArg], policyName: a.policyName });
}
for (const [Noun, entityType, nameArg] of [holders[0], holders[2]] as const) {
  permissions[`put${Noun}PermissionsBoundary`] = (a) => ({ type: "PutPermissionsBoundary", entityType, entityName: a[nameArg], policyArn: a.permissionsBoundary });
  permissions[`delete${Noun}PermissionsBoundary`] = (a) => ({ type: "DeletePermissionsBoundary", entityType, entityName: a[nameArg] });
}

const optional = <K extends string>(key: K, value: unknown): { [P in K]?: string } => (value != null ? ({ [key]: value } as { [P in K]: string }) : {});

export const mutationCommands: Record<string, ToCommand> = {
  createUser: (a) => ({ type: "CreateUser", userName: a.userName, path: a.path ?? d.path, tags: a.tags ?? d.tags, ...optional("permissionsBoundary", a.permissionsBoundary) }),
  updateUser: (a) => ({ type: "UpdateUser", userName: a.userName, ...optional("newUserName", a.newUserName), ...optional("newPath", a.newPath) }),
  deleteUser: (a) => ({ type: "DeleteUser", userName: a.userName }),
  tagUser: (a) => ({ type: "TagUser", userName: a.userName, tags: a.tags }),
  untagUser: (a) => ({ type: "UntagUser", userName: a.userName, tagKeys: a.tagKeys }),
  addUserToGroup: (a) => ({ type: "AddUserToGroup", userName: a.userName, groupName: a.groupName }),
  removeUserFromGroup: (a) => ({ type: "RemoveUserFromGroup", userName: a.userName, groupName: a.groupName }),
  createGroup: (a) => ({ type: "CreateGroup", groupName: a.groupName, path: a.path ?? d.path }),
  updateGroup: (a) => ({ type: "UpdateGroup", groupName: a.groupName, ...optional("newGroupName", a.newGroupName), ...optional("newPath", a.newPath) }),
  deleteGroup: (a) => ({ type: "DeleteGroup", groupName: a.groupName }),
  createRole: (a) => ({
    type: "CreateRole",
    roleName: a.roleName,
    path: a.path ?? d.path,
    assumeRolePolicyDocument: a.assumeRolePolicyDocument,
    description: a.description ?? d.description,
    maxSessionDuration: a.maxSessionDuration ?? d.maxSessionDuration,
    tags: a.tags ?? d.tags,
    ...optional("permissionsBoundary", a.permissionsBoundary),
  }),
  updateAssumeRolePolicy: (a) => ({ type: "UpdateAssumeRolePolicy", roleName: a.roleName, policyDocument: a.policyDocument }),
  tagRole: (a) => ({ type: "TagRole", roleName: a.roleName, tags: a.tags }),
  untagRole: (a) => ({ type: "UntagRole", roleName: a.roleName, tagKeys: a.tagKeys }),
  deleteRole: (a) => ({ type: "DeleteRole", roleName: a.roleName }),
  createPolicy: (a) => ({ type: "CreatePolicy", policyName: a.policyName, path: a.path ?? d.path, policyDocument: a.policyDocument, description: a.description ?? d.description, tags: a.tags ?? d.tags }),
  createPolicyVersion: (a) => ({ type: "CreatePolicyVersion", policyArn: a.policyArn, policyDocument: a.policyDocument, setAsDefault: a.setAsDefault ?? d.setAsDefault }),
  setDefaultPolicyVersion: (a) => ({ type: "SetDefaultPolicyVersion", policyArn: a.policyArn, versionId: a.versionId }),
  deletePolicyVersion: (a) => ({ type: "DeletePolicyVersion", policyArn: a.policyArn, versionId: a.versionId }),
  deletePolicy: (a) => ({ type: "DeletePolicy", policyArn: a.policyArn }),
  tagPolicy: (a) => ({ type: "TagPolicy", policyArn: a.policyArn, tags: a.tags }),
  untagPolicy: (a) => ({ type: "UntagPolicy", policyArn: a.policyArn, tagKeys: a.tagKeys }),
  ...permissions,
  createOpenIDConnectProvider: (a) => ({ type: "CreateOpenIDConnectProvider", url: a.url, clientIds: a.clientIDList ?? [], thumbprints: a.thumbprintList ?? [], tags: a.tags ?? d.tags }),
  updateOpenIDConnectProviderThumbprint: (a) => ({ type: "UpdateOpenIDConnectProviderThumbprint", providerArn: a.openIDConnectProviderArn, thumbprints: a.thumbprintList }),
  addClientIDToOpenIDConnectProvider: (a) => ({ type: "AddClientIDToOpenIDConnectProvider", providerArn: a.openIDConnectProviderArn, clientId: a.clientID }),
  removeClientIDFromOpenIDConnectProvider: (a) => ({ type: "RemoveClientIDFromOpenIDConnectProvider", providerArn: a.openIDConnectProviderArn, clientId: a.clientID }),
  deleteOpenIDConnectProvider: (a) => ({ type: "DeleteOpenIDConnectProvider", providerArn: a.openIDConnectProviderArn }),
  // AWS's "revoke active sessions" is a PutRolePolicy of its own deny (src/sts/revoke-sessions.ts);
  // the resolver passes the moment of the request as revokedBefore.
  revokeRoleSessions: (a) => ({
    type: "PutInlinePolicy",
    entityType: "role",
    entityName: a.roleName,
    policyName: REVOKE_POLICY_NAME,
    policyDocument: revokeOlderSessionsPolicy(a.revokedBefore ?? new Date()),
  }),
  // The new key's id is made with its secret, just before the command is sent (src/auth/access-key-commands.ts).
  // Without userName the caller's own user is meant (AWS semantics).
  createAccessKey: (a, caller) => ({ type: "CreateAccessKey", userName: userNameOrCaller(a.userName, caller), accessKeyId: "" }),
  updateAccessKey: (a, caller) => ({ type: "UpdateAccessKey", userName: userNameOrCaller(a.userName, caller), accessKeyId: a.accessKeyId, status: a.status }),
  deleteAccessKey: (a, caller) => ({ type: "DeleteAccessKey", userName: userNameOrCaller(a.userName, caller), accessKeyId: a.accessKeyId }),
};

type AccessKeyField = "createAccessKey" | "updateAccessKey" | "deleteAccessKey";
type AccessKeyCommandOf = { createAccessKey: "CreateAccessKey"; updateAccessKey: "UpdateAccessKey"; deleteAccessKey: "DeleteAccessKey" };

/** A mapping whose command type the resolver needs to know (the access-key resolvers). */
export function commandFor<F extends AccessKeyField>(field: F, args: Args, caller: Caller): Extract<Command, { type: AccessKeyCommandOf[F] }> {
  return mutationCommands[field]!(args, caller) as Extract<Command, { type: AccessKeyCommandOf[F] }>;
}

import { boundaryContext, policyArnContext, requestTagContext, tagKeysContext, type AuthorizationCheck, type AuthorizationChecks } from "../authz/authorization-check.js";
import { entityCheck, entityFacts, policyCheck, type EntityKind } from "../authz/entity-checks.js";
import { createResourceLookup, type ResourceLookup } from "../authz/resource-lookup.js";
import { entityArn } from "../domain/shared/arn.js";
import { assertNever } from "../domain/shared/assert-never.js";
import type { DomainError } from "../domain/shared/domain-error.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { ContextEntry } from "../policy/request.js";
import type { Tx } from "../db/transaction.js";
import type { Command } from "./command.js";
import { oidcProviderArn } from "../domain/oidc-providers/decide.js";

// Every domain command mapped to the IAM action AWS checks for the API call that sends it, on
// the resource AWS names (the target's real ARN, with its path), with the condition keys the
// Service Authorization Reference lists for that action. The pipeline authorizes every command
// here, under the write lock — mutations, dry runs, previewChange and restorePrincipal alike —
// so one command is authorized one way, on the state it acts on.

/**
 * The port through which the pipeline asks whether the request's caller may pass a command's
 * checks; the API implements it with the caller's own policies (and its connection's condition
 * keys). It reads what it needs of the caller — tags, policies in effect — from `tx`, the
 * writing transaction, so they are as current as the facts the checks were built from.
 * Returns the AccessDenied of the first check that is not allowed.
 */
export type Authorize = (checks: AuthorizationChecks, tx: Tx) => Promise<DomainError | undefined>;

/**
 * Authorizes one command inside the pipeline, under the write lock: its checks are built from
 * the targets' ARNs, tags and boundaries as the transaction sees them — the state the decider
 * will load next — and decided by `authorize`. Throws the AccessDenied; nothing is written.
 */
export async function authorizeCommand(tx: Tx, accountId: string, command: Command, authorize: Authorize): Promise<void> {
  // A lookup per command: a group's later command sees what its predecessors changed.
  const checks = await commandAuthorization(command, accountId, createResourceLookup(tx as unknown as PrismaClient, accountId));
  const denial = await authorize(checks, tx);
  if (denial) throw denial;
}

const Noun = { user: "User", group: "Group", role: "Role" } as const;

/** The checks a command needs; reads the targets' ARNs, tags and boundaries through `lookup`. */
export async function commandAuthorization(command: Command, accountId: string, lookup: ResourceLookup): Promise<AuthorizationCheck[]> {
  const onEntity = (kind: EntityKind, name: string, action: string, context?: readonly ContextEntry[]) => entityCheck(lookup, accountId, kind, name, action, context);
  const onPolicy = (policyArn: string, action: string, context?: readonly ContextEntry[]) => policyCheck(lookup, policyArn, action, context);

  switch (command.type) {
    case "CreateUser":
      // A boundary given at creation is checked as iam:CreateUser's iam:PermissionsBoundary key (SAR),
      // not as a second iam:PutUserPermissionsBoundary: that is how AWS lets an administrator
      // delegate "create users, but only with this boundary".
      return [{ action: "iam:CreateUser", resource: entityArn(accountId, "user", command.path, command.userName), context: [...requestTagContext(command.tags), ...boundaryContext(command.permissionsBoundary)] }];
    case "UpdateUser":
      return renameChecks(accountId, "user", command.userName, command.newUserName, command.newPath, await onEntity("user", command.userName, "iam:UpdateUser"), lookup);
    case "DeleteUser":
      return [await onEntity("user", command.userName, "iam:DeleteUser")];
    case "TagUser":
      return [await onEntity("user", command.userName, "iam:TagUser", requestTagContext(command.tags))];
    case "UntagUser":
      return [await onEntity("user", command.userName, "iam:UntagUser", tagKeysContext(command.tagKeys))];
    // Membership changes are authorized on the group (SAR: resource type `group`), as in AWS.
    case "AddUserToGroup":
      return [await onEntity("group", command.groupName, "iam:AddUserToGroup")];
    case "RemoveUserFromGroup":
      return [await onEntity("group", command.groupName, "iam:RemoveUserFromGroup")];
    case "CreateGroup":
      return [{ action: "iam:CreateGroup", resource: entityArn(accountId, "group", command.path, command.groupName) }];
    case "UpdateGroup":
      return renameChecks(accountId, "group", command.groupName, command.newGroupName, command.newPath, await onEntity("group", command.groupName, "iam:UpdateGroup"), lookup);
    case "DeleteGroup":
      return [await onEntity("group", command.groupName, "iam:DeleteGroup")];
    case "CreateRole":
      return [{ action: "iam:CreateRole", resource: entityArn(accountId, "role", command.path, command.roleName), context: [...requestTagContext(command.tags), ...boundaryContext(command.permissionsBoundary)] }];
    case "UpdateAssumeRolePolicy":
      return [await onEntity("role", command.roleName, "iam:UpdateAssumeRolePolicy")];
    case "TagRole":
      return [await onEntity("role", command.roleName, "iam:TagRole", requestTagContext(command.tags))];
    case "UntagRole":
      return [await onEntity("role", command.roleName, "iam:UntagRole", tagKeysContext(command.tagKeys))];
    case "DeleteRole":
      return [await onEntity("role", command.roleName, "iam:DeleteRole")];
    case "CreatePolicy":
      return [{ action: "iam:CreatePolicy", resource: entityArn(accountId, "policy", command.path, command.policyName), context: requestTagContext(command.tags) }];
    case "CreatePolicyVersion":
      return [await onPolicy(command.policyArn, "iam:CreatePolicyVersion")];
    case "SetDefaultPolicyVersion":
      return [await onPolicy(command.policyArn, "iam:SetDefaultPolicyVersion")];
    case "DeletePolicyVersion":
      return [await onPolicy(command.policyArn, "iam:DeletePolicyVersion")];
    case "DeletePolicy":
      return [await onPolicy(command.policyArn, "iam:DeletePolicy")];
    case "TagPolicy":
      return [await onPolicy(command.policyArn, "iam:TagPolicy", requestTagContext(command.tags))];
    case "UntagPolicy":
      return [await onPolicy(command.policyArn, "iam:UntagPolicy", tagKeysContext(command.tagKeys))];
    // iam:PolicyARN is what lets an administrator delegate attaching some policies and not
    // others; it is the guard against attaching AdministratorAccess to oneself.
    case "AttachPolicy":
      return [await onEntity(command.entityType, command.entityName, `iam:Attach${Noun[command.entityType]}Policy`, [policyArnContext(command.policyArn)])];
    case "DetachPolicy":
      return [await onEntity(command.entityType, command.entityName, `iam:Detach${Noun[command.entityType]}Policy`, [policyArnContext(command.policyArn)])];
    case "PutInlinePolicy":
      return [await onEntity(command.entityType, command.entityName, `iam:Put${Noun[command.entityType]}Policy`)];
    case "DeleteInlinePolicy":
      return [await onEntity(command.entityType, command.entityName, `iam:Delete${Noun[command.entityType]}Policy`)];
    case "PutPermissionsBoundary":
      return [await onEntity(command.entityType, command.entityName, `iam:Put${Noun[command.entityType]}PermissionsBoundary`, boundaryContext(command.policyArn))];
    case "DeletePermissionsBoundary":
      return [await onEntity(command.entityType, command.entityName, `iam:Delete${Noun[command.entityType]}PermissionsBoundary`)];
    // Access keys are authorized on their owner: a key for bob needs permission on bob's ARN.
    case "CreateAccessKey":
      return [await onEntity("user", command.userName, "iam:CreateAccessKey")];
    case "UpdateAccessKey":
      return [await onEntity("user", command.userName, "iam:UpdateAccessKey")];
    case "DeleteAccessKey":
      return [await onEntity("user", command.userName, "iam:DeleteAccessKey")];
    // OpenID Connect providers: SAR resource type `oidc-provider`, the provider's ARN.
    case "CreateOpenIDConnectProvider":
      return [{ action: "iam:CreateOpenIDConnectProvider", resource: oidcProviderArn(accountId, command.url), context: requestTagContext(command.tags) }];
    case "UpdateOpenIDConnectProviderThumbprint":
      return [{ action: "iam:UpdateOpenIDConnectProviderThumbprint", resource: command.providerArn }];
    case "AddClientIDToOpenIDConnectProvider":
      return [{ action: "iam:AddClientIDToOpenIDConnectProvider", resource: command.providerArn }];
    case "RemoveClientIDFromOpenIDConnectProvider":
      return [{ action: "iam:RemoveClientIDFromOpenIDConnectProvider", resource: command.providerArn }];
    case "DeleteOpenIDConnectProvider":
      return [{ action: "iam:DeleteOpenIDConnectProvider", resource: command.providerArn }];
    default:
      return assertNever(command);
  }
}

/**
 * UpdateUser / UpdateGroup: "to change a user name, the requester must have appropriate
 * permissions on both the source object and the target object" (IAM API Reference), so a
 * rename or move is checked on the current ARN and on the ARN it would get.
 */
async function renameChecks(
  accountId: string,
  kind: "user" | "group",
  name: string,
  newName: string | undefined,
  newPath: string | undefined,
  source: AuthorizationCheck,
  lookup: ResourceLookup,
): Promise<AuthorizationCheck[]> {
  if (newName === undefined && newPath === undefined) return [source];
  const current = await entityFacts(lookup, kind, name);
  const target = entityArn(accountId, kind, newPath ?? current?.path ?? "/", newName ?? name);
  return target === source.resource ? [source] : [source, { action: source.action, resource: target }];
}

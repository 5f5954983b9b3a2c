import { graphql } from "./tada.js";

/** What a dry run reports: the events a change would append and whose decisions would flip. */
export const PreviewFields = graphql(`
  fragment PreviewFields on ChangePreview {
    principalsConsidered
    events { type streamId }
    flips { principalArn principalType action resource before after }
  }
`);

const p = [PreviewFields];

export const CreateGroup = graphql(`mutation CreateGroup($groupName: String!) { createGroup(groupName: $groupName) { __typename ... on IamError { code message } ... on GroupPayload { position group { groupName arn } } } }`);
export const CreateUser = graphql(`mutation CreateUser($userName: String!, $tags: [TagInput!]) { createUser(userName: $userName, tags: $tags) { __typename ... on IamError { code message } ... on UserPayload { position user { userName arn } } } }`);
export const AttachGroupPolicy = graphql(`mutation AttachGroupPolicy($groupName: String!, $policyArn: String!) { attachGroupPolicy(groupName: $groupName, policyArn: $policyArn) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`);
export const AttachUserPolicy = graphql(`mutation AttachUserPolicy($userName: String!, $policyArn: String!) { attachUserPolicy(userName: $userName, policyArn: $policyArn) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`);
export const AddUserToGroup = graphql(`mutation AddUserToGroup($userName: String!, $groupName: String!) { addUserToGroup(userName: $userName, groupName: $groupName) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`);
export const CreateAccessKey = graphql(`mutation CreateAccessKey($userName: String) { createAccessKey(userName: $userName) { __typename ... on IamError { code message } ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey status userName } } } }`);
export const UpdateAccessKey = graphql(`mutation UpdateAccessKey($userName: String, $accessKeyId: String!, $status: AccessKeyStatus!) { updateAccessKey(userName: $userName, accessKeyId: $accessKeyId, status: $status) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`);
export const UpdateGroup = graphql(`mutation UpdateGroup($groupName: String!, $newGroupName: String!) { updateGroup(groupName: $groupName, newGroupName: $newGroupName) { __typename ... on IamError { code message } ... on GroupPayload { group { groupName } } } }`);
export const CreatePolicy = graphql(`mutation CreatePolicy($policyName: String!, $policyDocument: String!, $description: String) { createPolicy(policyName: $policyName, policyDocument: $policyDocument, description: $description) { __typename ... on IamError { code message } ... on PolicyPayload { policy { arn } } } }`);
export const CreatePolicyVersion = graphql(`mutation CreatePolicyVersion($policyArn: String!, $policyDocument: String!, $setAsDefault: Boolean) { createPolicyVersion(policyArn: $policyArn, policyDocument: $policyDocument, setAsDefault: $setAsDefault) { __typename ... on IamError { code message } ... on PolicyVersionPayload { position } } }`);
export const TagUser = graphql(`mutation TagUser($userName: String!, $tags: [TagInput!]!) { tagUser(userName: $userName, tags: $tags) { __typename ... on IamError { code message } ... on UserPayload { position } } }`);

// Destructive changes: each takes dryRun, so the confirm dialog can show the blast radius first.
export const DeleteUser = graphql(`mutation DeleteUser($userName: String!, $dryRun: Boolean) { deleteUser(userName: $userName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteGroup = graphql(`mutation DeleteGroup($groupName: String!, $dryRun: Boolean) { deleteGroup(groupName: $groupName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const RemoveUserFromGroup = graphql(`mutation RemoveUserFromGroup($userName: String!, $groupName: String!, $dryRun: Boolean) { removeUserFromGroup(userName: $userName, groupName: $groupName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DetachGroupPolicy = graphql(`mutation DetachGroupPolicy($groupName: String!, $policyArn: String!, $dryRun: Boolean) { detachGroupPolicy(groupName: $groupName, policyArn: $policyArn, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DetachUserPolicy = graphql(`mutation DetachUserPolicy($userName: String!, $policyArn: String!, $dryRun: Boolean) { detachUserPolicy(userName: $userName, policyArn: $policyArn, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DetachRolePolicy = graphql(`mutation DetachRolePolicy($roleName: String!, $policyArn: String!, $dryRun: Boolean) { detachRolePolicy(roleName: $roleName, policyArn: $policyArn, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const SetDefaultPolicyVersion = graphql(`mutation SetDefaultPolicyVersion($policyArn: String!, $versionId: String!, $dryRun: Boolean) { setDefaultPolicyVersion(policyArn: $policyArn, versionId: $versionId, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
// A key is a credential, not a permission: its dry run's flips are empty, and accessKeyImpact
// says what stops — every request signed with it, and what those requests could do.
export const DeleteAccessKey = graphql(`mutation DeleteAccessKey($userName: String, $accessKeyId: String!, $dryRun: Boolean) { deleteAccessKey(userName: $userName, accessKeyId: $accessKeyId, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields ... on ChangePreview { accessKeyImpact { accessKeyId userName status lastUsedDate signedRequestsStop allowedActions otherActiveKeys } } } }`, p);
export const DeletePolicy = graphql(`mutation DeletePolicy($policyArn: String!, $dryRun: Boolean) { deletePolicy(policyArn: $policyArn, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);

// Roles.
export const CreateRole = graphql(`mutation CreateRole($roleName: String!, $path: String, $assumeRolePolicyDocument: String!, $description: String, $maxSessionDuration: Int) { createRole(roleName: $roleName, path: $path, assumeRolePolicyDocument: $assumeRolePolicyDocument, description: $description, maxSessionDuration: $maxSessionDuration) { __typename ... on IamError { code message } ... on RolePayload { role { roleName arn } } } }`);
export const UpdateAssumeRolePolicy = graphql(`mutation UpdateAssumeRolePolicy($roleName: String!, $policyDocument: String!) { updateAssumeRolePolicy(roleName: $roleName, policyDocument: $policyDocument) { __typename ... on IamError { code message } ... on RolePayload { position } } }`);
export const AttachRolePolicy = graphql(`mutation AttachRolePolicy($roleName: String!, $policyArn: String!) { attachRolePolicy(roleName: $roleName, policyArn: $policyArn) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`);

// Inline policies and permissions boundaries: each change can take permissions away, so each
// goes through the confirm dialog's dry run.
export const PutUserPolicy = graphql(`mutation PutUserPolicy($userName: String!, $policyName: String!, $policyDocument: String!, $dryRun: Boolean) { putUserPolicy(userName: $userName, policyName: $policyName, policyDocument: $policyDocument, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const PutGroupPolicy = graphql(`mutation PutGroupPolicy($groupName: String!, $policyName: String!, $policyDocument: String!, $dryRun: Boolean) { putGroupPolicy(groupName: $groupName, policyName: $policyName, policyDocument: $policyDocument, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const PutRolePolicy = graphql(`mutation PutRolePolicy($roleName: String!, $policyName: String!, $policyDocument: String!, $dryRun: Boolean) { putRolePolicy(roleName: $roleName, policyName: $policyName, policyDocument: $policyDocument, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteUserPolicy = graphql(`mutation DeleteUserPolicy($userName: String!, $policyName: String!, $dryRun: Boolean) { deleteUserPolicy(userName: $userName, policyName: $policyName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteGroupPolicy = graphql(`mutation DeleteGroupPolicy($groupName: String!, $policyName: String!, $dryRun: Boolean) { deleteGroupPolicy(groupName: $groupName, policyName: $policyName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteRolePolicy = graphql(`mutation DeleteRolePolicy($roleName: String!, $policyName: String!, $dryRun: Boolean) { deleteRolePolicy(roleName: $roleName, policyName: $policyName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const PutUserPermissionsBoundary = graphql(`mutation PutUserPermissionsBoundary($userName: String!, $permissionsBoundary: String!, $dryRun: Boolean) { putUserPermissionsBoundary(userName: $userName, permissionsBoundary: $permissionsBoundary, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const PutRolePermissionsBoundary = graphql(`mutation PutRolePermissionsBoundary($roleName: String!, $permissionsBoundary: String!, $dryRun: Boolean) { putRolePermissionsBoundary(roleName: $roleName, permissionsBoundary: $permissionsBoundary, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteUserPermissionsBoundary = graphql(`mutation DeleteUserPermissionsBoundary($userName: String!, $dryRun: Boolean) { deleteUserPermissionsBoundary(userName: $userName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);
export const DeleteRolePermissionsBoundary = graphql(`mutation DeleteRolePermissionsBoundary($roleName: String!, $dryRun: Boolean) { deleteRolePermissionsBoundary(roleName: $roleName, dryRun: $dryRun) { __typename ... on IamError { code message } ...PreviewFields } }`, p);

// The actions the Query API answers, per service. scripts/aws-models.ts keeps exactly these
// operations (and the shapes they reach) in src/aws/models/; every other action is answered
// InvalidAction. test/aws/actions.test.ts holds each name to a handler and a model operation.

export const supportedActions = {
  iam: [
    "CreateUser", "GetUser", "ListUsers", "UpdateUser", "DeleteUser", "TagUser", "UntagUser", "ListUserTags",
    "CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup", "ListGroupsForUser",
    "CreateRole", "GetRole", "ListRoles", "DeleteRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole", "ListRoleTags",
    "CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy", "TagPolicy", "UntagPolicy", "ListPolicyTags",
    "CreatePolicyVersion", "GetPolicyVersion", "ListPolicyVersions", "SetDefaultPolicyVersion", "DeletePolicyVersion", "ListEntitiesForPolicy",
    "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies",
    "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies",
    "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
    "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
    "PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy",
    "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
    "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
    "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys", "GetAccessKeyLastUsed",
    "GetAccountSummary", "GetAccountAuthorizationDetails",
    "SimulatePrincipalPolicy", "SimulateCustomPolicy", "GetContextKeysForPrincipalPolicy", "GetContextKeysForCustomPolicy",
  ],
  sts: ["GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity"],
} as const;

export type AwsService = keyof typeof supportedActions;

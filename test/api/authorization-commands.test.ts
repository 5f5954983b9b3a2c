import { describe, expect, test } from "vitest";
import { accessDeniedMessage } from "../../src/api/authorization/access-denied.js";
import type { EntityFacts } from "../../src/authz/authorization-check.js";
import { commandAuthorization } from "../../src/app/command-authorization.js";
import type { ResourceLookup } from "../../src/authz/resource-lookup.js";
import type { Command } from "../../src/app/command.js";

// Each command's checks, as data: the IAM action AWS checks for the API call, the resource it
// names, and the condition keys the Service Authorization Reference lists for it.

const A = "123456789012";
const alice: EntityFacts = { arn: `arn:aws:iam::${A}:user/eng/alice`, path: "/eng/", tags: [{ key: "team", value: "blue" }], boundaryArn: `arn:aws:iam::${A}:policy/Fence` };
const admins: EntityFacts = { arn: `arn:aws:iam::${A}:group/ops/Admins`, path: "/ops/", tags: [], boundaryArn: null };
const deployer: EntityFacts = { arn: `arn:aws:iam::${A}:role/ci/deployer`, path: "/ci/", tags: [], boundaryArn: null };
const lookup: ResourceLookup = {
  user: async (n) => (n.toLowerCase() === "alice" ? alice : undefined),
  group: async (n) => (n === "Admins" ? admins : undefined),
  role: async (n) => (n === "deployer" ? deployer : undefined),
  policyTags: async (arn) => (arn.endsWith("policy/Tagged") ? [{ key: "tier", value: "1" }] : undefined),
  accessKeyOwner: async () => undefined,
};
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const aliceKeys = [
  { key: "aws:ResourceTag/team", type: "string", values: ["blue"] },
  { key: "iam:ResourceTag/team", type: "string", values: ["blue"] },
];
const fence = { key: "iam:PermissionsBoundary", type: "string", values: [`arn:aws:iam::${A}:policy/Fence`] };

const cases: [string, Command, unknown[]][] = [
  [
    "CreateUser: the new user's ARN from path and name; aws:RequestTag/* and aws:TagKeys from its tags",
    { type: "CreateUser", userName: "bob", path: "/eng/", tags: [{ key: "team", value: "red" }] },
    [{ action: "iam:CreateUser", resource: `arn:aws:iam::${A}:user/eng/bob`, context: [{ key: "aws:RequestTag/team", type: "string", values: ["red"] }, { key: "aws:TagKeys", type: "stringList", values: ["team"] }] }],
  ],
  [
    "CreateUser with a boundary: iam:CreateUser carries iam:PermissionsBoundary (no second iam:PutUserPermissionsBoundary check)",
    { type: "CreateUser", userName: "bob", path: "/", tags: [], permissionsBoundary: `arn:aws:iam::${A}:policy/Fence` },
    [{ action: "iam:CreateUser", resource: `arn:aws:iam::${A}:user/bob`, context: [fence] }],
  ],
  [
    "CreateRole with a boundary: iam:CreateRole carries iam:PermissionsBoundary",
    { type: "CreateRole", roleName: "r", path: "/", assumeRolePolicyDocument: "{}", description: "", maxSessionDuration: 3600, tags: [], permissionsBoundary: ADMIN },
    [{ action: "iam:CreateRole", resource: `arn:aws:iam::${A}:role/r`, context: [{ key: "iam:PermissionsBoundary", type: "string", values: [ADMIN] }] }],
  ],
  ["GetUser-like actions on an existing user use its real ARN and tags", { type: "DeleteUser", userName: "ALICE" }, [{ action: "iam:DeleteUser", resource: alice.arn, context: aliceKeys }]],
  ["a missing user: the path-less ARN, no tags", { type: "DeleteUser", userName: "ghost" }, [{ action: "iam:DeleteUser", resource: `arn:aws:iam::${A}:user/ghost`, context: [] }]],
  [
    "AttachUserPolicy: on the user, with iam:PolicyARN and the user's current boundary",
    { type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: ADMIN },
    [{ action: "iam:AttachUserPolicy", resource: alice.arn, context: [...aliceKeys, fence, { key: "iam:PolicyARN", type: "string", values: [ADMIN] }] }],
  ],
  [
    "AttachGroupPolicy: on the group, with iam:PolicyARN (groups have no tags or boundary)",
    { type: "AttachPolicy", entityType: "group", entityName: "Admins", policyArn: ADMIN },
    [{ action: "iam:AttachGroupPolicy", resource: admins.arn, context: [{ key: "iam:PolicyARN", type: "string", values: [ADMIN] }] }],
  ],
  [
    "DetachRolePolicy: on the role",
    { type: "DetachPolicy", entityType: "role", entityName: "deployer", policyArn: ADMIN },
    [{ action: "iam:DetachRolePolicy", resource: deployer.arn, context: [{ key: "iam:PolicyARN", type: "string", values: [ADMIN] }] }],
  ],
  [
    "PutUserPermissionsBoundary: iam:PermissionsBoundary is the requested boundary",
    { type: "PutPermissionsBoundary", entityType: "user", entityName: "alice", policyArn: ADMIN },
    [{ action: "iam:PutUserPermissionsBoundary", resource: alice.arn, context: [...aliceKeys, { key: "iam:PermissionsBoundary", type: "string", values: [ADMIN] }] }],
  ],
  [
    "DeleteUserPermissionsBoundary: iam:PermissionsBoundary is the boundary in place",
    { type: "DeletePermissionsBoundary", entityType: "user", entityName: "alice" },
    [{ action: "iam:DeleteUserPermissionsBoundary", resource: alice.arn, context: [...aliceKeys, fence] }],
  ],
  ["TagUser adds aws:RequestTag/*; UntagUser aws:TagKeys", { type: "UntagUser", userName: "alice", tagKeys: ["team"] }, [{ action: "iam:UntagUser", resource: alice.arn, context: [...aliceKeys, { key: "aws:TagKeys", type: "stringList", values: ["team"] }] }]],
  ["AddUserToGroup: on the group (SAR resource type `group`)", { type: "AddUserToGroup", userName: "alice", groupName: "Admins" }, [{ action: "iam:AddUserToGroup", resource: admins.arn, context: [] }]],
  [
    "UpdateUser renaming: on the current ARN and on the new one",
    { type: "UpdateUser", userName: "alice", newUserName: "alicia" },
    [
      { action: "iam:UpdateUser", resource: alice.arn, context: aliceKeys },
      { action: "iam:UpdateUser", resource: `arn:aws:iam::${A}:user/eng/alicia` },
    ],
  ],
  ["UpdateGroup without a change: only the current ARN", { type: "UpdateGroup", groupName: "Admins" }, [{ action: "iam:UpdateGroup", resource: admins.arn, context: [] }]],
  ["CreatePolicyVersion: on the policy ARN as given, with aws:ResourceTag/*", { type: "CreatePolicyVersion", policyArn: `arn:aws:iam::${A}:policy/Tagged`, policyDocument: "{}", setAsDefault: true }, [{ action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${A}:policy/Tagged`, context: [{ key: "aws:ResourceTag/tier", type: "string", values: ["1"] }] }]],
  ["a cross-account policy ARN is the resource as given", { type: "DeletePolicy", policyArn: "arn:aws:iam::999999999999:policy/P" }, [{ action: "iam:DeletePolicy", resource: "arn:aws:iam::999999999999:policy/P", context: [] }]],
  ["CreateAccessKey: on the key owner's user ARN", { type: "CreateAccessKey", userName: "alice", accessKeyId: "" }, [{ action: "iam:CreateAccessKey", resource: alice.arn, context: aliceKeys }]],
  [
    "TagRole: iam:TagRole on the role, with aws:RequestTag/* and aws:TagKeys",
    { type: "TagRole", roleName: "deployer", tags: [{ key: "env", value: "prod" }] },
    [{ action: "iam:TagRole", resource: deployer.arn, context: [{ key: "aws:RequestTag/env", type: "string", values: ["prod"] }, { key: "aws:TagKeys", type: "stringList", values: ["env"] }] }],
  ],
  ["UntagRole: iam:UntagRole on the role, with aws:TagKeys", { type: "UntagRole", roleName: "deployer", tagKeys: ["env"] }, [{ action: "iam:UntagRole", resource: deployer.arn, context: [{ key: "aws:TagKeys", type: "stringList", values: ["env"] }] }]],
  ["DeleteRole: with the role's boundary key (none set)", { type: "DeleteRole", roleName: "deployer" }, [{ action: "iam:DeleteRole", resource: deployer.arn, context: [] }]],
];

describe("commandAuthorization", () => {
  test.each(cases)("%s", async (_, command, expected) => {
    expect(await commandAuthorization(command, A, lookup)).toEqual(expected);
  });
});

describe("AccessDenied messages (IAM User Guide: troubleshoot access denied)", () => {
  const head = `User: arn:aws:iam::${A}:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/x`;
  test.each([
    ["no identity allow", `${head} because no identity-based policy allows the iam:CreateUser action`],
    ["explicitDeny in identity policy", `${head} with an explicit deny in an identity-based policy`],
    ["boundary does not allow", `${head} because no permissions boundary allows the iam:CreateUser action`],
    ["explicitDeny in permissions boundary", `${head} with an explicit deny in a permissions boundary`],
  ] as const)("%s", (reason, message) => {
    expect(accessDeniedMessage(`arn:aws:iam::${A}:user/bob`, "iam:CreateUser", `arn:aws:iam::${A}:user/x`, reason)).toBe(message);
  });
});

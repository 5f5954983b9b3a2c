import { maxRolesPerAccount } from "../../domain/roles/decide.js";
import { maxAttachedPolicies } from "../../domain/permissions/decide.js";
import { maxCustomerPoliciesPerAccount, maxPolicyVersions } from "../../domain/policies/decide.js";
import { maxGroupsPerAccount } from "../../domain/groups/decide.js";
import type { PolicyVersion } from "../../generated/prisma/client.js";
import {
  GROUP_INLINE_POLICIES_SIZE_QUOTA,
  MANAGED_POLICY_SIZE_QUOTA,
  ROLE_INLINE_POLICIES_SIZE_QUOTA,
  TRUST_POLICY_SIZE_QUOTA,
  USER_INLINE_POLICIES_SIZE_QUOTA,
} from "../../policy/size.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { policyNameOfArn, type AttachedPolicy } from "../policy-loaders.js";
import { AttachedPermissionsBoundaryRef, AttachedPolicyRef, InlinePolicyRef } from "./permissions.js";
import { PolicyVersionRef } from "./policy.js";
import { TagRef } from "./tag.js";

// GetAccountAuthorizationDetails and GetAccountSummary. The details are read in one
// repeatable-read transaction, so users, groups, roles and policies come from one snapshot of
// the read models (AWS promises the same), then shaped in memory: a fixed number of statements.

interface Base {
  path: string;
  arn: string;
  createDate: Date;
  attachedManagedPolicies: AttachedPolicy[];
  inline: { policyName: string; document: string }[];
}
interface UserDetail extends Base {
  userName: string;
  userId: string;
  groupList: string[];
  boundaryArn: string | null;
  tags: { key: string; value: string }[];
}
interface GroupDetail extends Base {
  groupName: string;
  groupId: string;
}
interface RoleDetail extends Base {
  roleName: string;
  roleId: string;
  assumeRolePolicyDocument: string;
  boundaryArn: string | null;
  tags: { key: string; value: string }[];
}
interface ManagedPolicyDetail {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  description: string;
  createDate: Date;
  updateDate: Date;
  isAwsManaged: boolean;
  policyVersionList: PolicyVersion[];
}
interface Details {
  userDetailList: UserDetail[];
  groupDetailList: GroupDetail[];
  roleDetailList: RoleDetail[];
  policies: ManagedPolicyDetail[];
}

const EntityType = builder.enumType("EntityType", {
  description: "GetAccountAuthorizationDetails Filter values.",
  values: ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] as const,
});
type EntityTypeValue = "User" | "Role" | "Group" | "LocalManagedPolicy" | "AWSManagedPolicy";

const UserDetailRef = builder.objectRef<UserDetail>("UserDetail").implement({
  fields: (t) => ({
    path: t.exposeString("path"),
    userName: t.exposeString("userName"),
    userId: t.exposeString("userId"),
    arn: t.exposeString("arn"),
    createDate: t.expose("createDate", { type: "DateTime" }),
    userPolicyList: t.field({ type: [InlinePolicyRef], resolve: (u) => u.inline }),
    groupList: t.exposeStringList("groupList", { description: "Names of the groups the user is in." }),
    attachedManagedPolicies: t.field({ type: [AttachedPolicyRef], resolve: (u) => u.attachedManagedPolicies }),
    permissionsBoundary: t.field({
      type: AttachedPermissionsBoundaryRef,
      nullable: true,
      resolve: (u) => (u.boundaryArn ? { permissionsBoundaryArn: u.boundaryArn } : null),
    }),
    tags: t.field({ type: [TagRef], resolve: (u) => u.tags as never }),
  }),
});

const GroupDetailRef = builder.objectRef<GroupDetail>("GroupDetail").implement({
  fields: (t) => ({
    path: t.exposeString("path"),
    groupName: t.exposeString("groupName"),
    groupId: t.exposeString("groupId"),
    arn: t.exposeString("arn"),
    createDate: t.expose("createDate", { type: "DateTime" }),
    groupPolicyList: t.field({ type: [InlinePolicyRef], resolve: (g) => g.inline }),
    attachedManagedPolicies: t.field({ type: [AttachedPolicyRef], resolve: (g) => g.attachedManagedPolicies }),
  }),
});

const RoleDetailRef = builder.objectRef<RoleDetail>("RoleDetail").implement({
  fields: (t) => ({
    path: t.exposeString("path"),
    roleName: t.exposeString("roleName"),
    roleId: t.exposeString("roleId"),
    arn: t.exposeString("arn"),
    createDate: t.expose("createDate", { type: "DateTime" }),
    assumeRolePolicyDocument: t.exposeString("assumeRolePolicyDocument"),
    rolePolicyList: t.field({ type: [InlinePolicyRef], resolve: (r) => r.inline }),
    attachedManagedPolicies: t.field({ type: [AttachedPolicyRef], resolve: (r) => r.attachedManagedPolicies }),
    permissionsBoundary: t.field({
      type: AttachedPermissionsBoundaryRef,
      nullable: true,
      resolve: (r) => (r.boundaryArn ? { permissionsBoundaryArn: r.boundaryArn } : null),
    }),
    tags: t.field({ type: [TagRef], resolve: (r) => r.tags as never }),
  }),
});

const ManagedPolicyDetailRef = builder.objectRef<ManagedPolicyDetail>("ManagedPolicyDetail").implement({
  fields: (t) => ({
    policyName: t.exposeString("policyName"),
    policyId: t.exposeString("policyId"),
    arn: t.exposeString("arn"),
    path: t.exposeString("path"),
    defaultVersionId: t.exposeString("defaultVersionId"),
    attachmentCount: t.exposeInt("attachmentCount"),
    permissionsBoundaryUsageCount: t.exposeInt("permissionsBoundaryUsageCount"),
    isAttachable: t.boolean({ resolve: () => true }),
    isAwsManaged: t.exposeBoolean("isAwsManaged"),
    description: t.exposeString("description"),
    createDate: t.expose("createDate", { type: "DateTime" }),
    updateDate: t.expose("updateDate", { type: "DateTime" }),
    policyVersionList: t.field({ type: [PolicyVersionRef], resolve: (p) => p.policyVersionList }),
  }),
});

const DetailsRef = builder.objectRef<Details>("AccountAuthorizationDetails").implement({
  description: "GetAccountAuthorizationDetails: one snapshot of users, groups, roles and managed policies with their relationships.",
  fields: (t) => ({
    userDetailList: t.field({ type: [UserDetailRef], resolve: (d) => d.userDetailList }),
    groupDetailList: t.field({ type: [GroupDetailRef], resolve: (d) => d.groupDetailList }),
    roleDetailList: t.field({ type: [RoleDetailRef], resolve: (d) => d.roleDetailList }),
    policies: t.field({ type: [ManagedPolicyDetailRef], resolve: (d) => d.policies }),
  }),
});

async function loadDetails(ctx: Context, filter: readonly EntityTypeValue[]): Promise<Details> {
  const want = (f: EntityTypeValue) => filter.length === 0 || filter.includes(f);
  const { prisma, accountId } = ctx;
  const [users, groups, roles, policies, attachments, inline] = await prisma.$transaction(
    [
      prisma.user.findMany({ where: { accountId }, include: { tags: true, memberships: { include: { group: true } } }, orderBy: { userNameKey: "asc" } }),
      prisma.group.findMany({ where: { accountId }, orderBy: { groupNameKey: "asc" } }),
      prisma.role.findMany({ where: { accountId }, include: { tags: true }, orderBy: { roleNameKey: "asc" } }),
      prisma.policy.findMany({
        where: { accountId: { in: [accountId, "aws"] } },
        include: { versions: { orderBy: { createdAt: "asc" } } },
        orderBy: [{ accountId: "asc" }, { policyNameKey: "asc" }],
      }),
      prisma.policyAttachment.findMany({ orderBy: [{ attachedAt: "asc" }, { policyArn: "asc" }] }),
      prisma.inlinePolicy.findMany({ orderBy: { policyName: "asc" } }),
    ],
    { isolationLevel: "RepeatableRead" },
  );
  const attachedTo = (id: string) => attachments.filter((a) => a.entityId === id).map((a) => ({ policyArn: a.policyArn, policyName: policyNameOfArn(a.policyArn) }));
  const inlineOf = (id: string) => inline.filter((i) => i.entityId === id).map((i) => ({ policyName: i.policyName, document: i.document }));
  const count = (arn: string) => attachments.filter((a) => a.policyArn === arn).length;
  const boundaryUses = (arn: string) => users.filter((u) => u.permissionsBoundaryArn === arn).length + roles.filter((r) => r.permissionsBoundaryArn === arn).length;
  const base = (e: { path: string; arn: string; createdAt: Date; id: string }) => ({
    path: e.path,
    arn: e.arn,
    createDate: e.createdAt,
    attachedManagedPolicies: attachedTo(e.id),
    inline: inlineOf(e.id),
  });
  return {
    userDetailList: want("User")
      ? users.map((u) => ({
          ...base(u),
          userName: u.userName,
          userId: u.id,
          groupList: u.memberships.map((m) => m.group.groupName),
          boundaryArn: u.permissionsBoundaryArn,
          tags: u.tags,
        }))
      : [],
    groupDetailList: want("Group") ? groups.map((g) => ({ ...base(g), groupName: g.groupName, groupId: g.id })) : [],
    roleDetailList: want("Role")
      ? roles.map((r) => ({
          ...base(r),
          roleName: r.roleName,
          roleId: r.id,
          assumeRolePolicyDocument: r.assumeRolePolicyDocument,
          boundaryArn: r.permissionsBoundaryArn,
          tags: r.tags,
        }))
      : [],
    // AWS-managed policies appear only when this account uses them (attached or as a boundary).
    policies: policies
      .filter((p) => (p.isAwsManaged ? want("AWSManagedPolicy") && count(p.arn) + boundaryUses(p.arn) > 0 : want("LocalManagedPolicy")))
      .map((p) => ({
        policyName: p.policyName,
        policyId: p.id,
        arn: p.arn,
        path: p.path,
        defaultVersionId: p.defaultVersionId,
        attachmentCount: count(p.arn),
        permissionsBoundaryUsageCount: boundaryUses(p.arn),
        description: p.description,
        createDate: p.createdAt,
        updateDate: p.updatedAt,
        isAwsManaged: p.isAwsManaged,
        policyVersionList: p.versions,
      })),
  };
}

// ── GetAccountSummary ──────────────────────────────────────────────────────────────────────────

/** Usage first (counted), then the quotas iamgraph enforces, under AWS's SummaryMap key names. */
async function loadSummary(ctx: Context): Promise<Map<string, number>> {
  const { prisma, accountId } = ctx;
  const [users, groups, roles, policies, versions] = await prisma.$transaction([
    prisma.user.count({ where: { accountId } }),
    prisma.group.count({ where: { accountId } }),
    prisma.role.count({ where: { accountId } }),
    prisma.policy.count({ where: { accountId } }),
    prisma.policyVersion.count({ where: { policy: { accountId } } }),
  ]);
  return new Map([
    ["Users", users],
    ["UsersQuota", 5000],
    ["Groups", groups],
    ["GroupsQuota", maxGroupsPerAccount],
    ["Roles", roles],
    ["RolesQuota", maxRolesPerAccount],
    ["Policies", policies],
    ["PoliciesQuota", maxCustomerPoliciesPerAccount],
    ["PolicyVersionsInUse", versions],
    ["PolicyVersionsInUseQuota", 10000],
    ["VersionsPerPolicyQuota", maxPolicyVersions],
    ["PolicySizeQuota", MANAGED_POLICY_SIZE_QUOTA],
    ["UserPolicySizeQuota", USER_INLINE_POLICIES_SIZE_QUOTA],
    ["GroupPolicySizeQuota", GROUP_INLINE_POLICIES_SIZE_QUOTA],
    ["RolePolicySizeQuota", ROLE_INLINE_POLICIES_SIZE_QUOTA],
    ["AssumeRolePolicySizeQuota", TRUST_POLICY_SIZE_QUOTA],
    ["GroupsPerUserQuota", 10],
    ["AttachedPoliciesPerUserQuota", maxAttachedPolicies],
    ["AttachedPoliciesPerGroupQuota", maxAttachedPolicies],
    ["AttachedPoliciesPerRoleQuota", maxAttachedPolicies],
    ["AccessKeysPerUserQuota", 2],
  ]);
}

const SummaryEntry = builder.objectRef<{ key: string; value: number }>("SummaryEntry").implement({
  fields: (t) => ({ key: t.exposeString("key"), value: t.exposeInt("value") }),
});

const AccountSummary = builder.objectRef<Map<string, number>>("AccountSummary").implement({
  description:
    "GetAccountSummary. `summaryMap` carries AWS's SummaryMap keys (Users, UsersQuota, …, PolicyVersionsInUse = customer-managed policy versions stored); the typed fields are the same numbers.",
  fields: (t) => ({
    summaryMap: t.field({ type: [SummaryEntry], resolve: (m) => [...m].map(([key, value]) => ({ key, value })) }),
    ...Object.fromEntries(
      ["Users", "UsersQuota", "Groups", "GroupsQuota", "Roles", "RolesQuota", "Policies", "PoliciesQuota", "PolicyVersionsInUse", "PolicyVersionsInUseQuota",
        "VersionsPerPolicyQuota", "PolicySizeQuota", "UserPolicySizeQuota", "GroupPolicySizeQuota", "RolePolicySizeQuota", "AssumeRolePolicySizeQuota",
        "GroupsPerUserQuota", "AttachedPoliciesPerUserQuota", "AttachedPoliciesPerGroupQuota", "AttachedPoliciesPerRoleQuota", "AccessKeysPerUserQuota"].map((key) => [
        key.charAt(0).toLowerCase() + key.slice(1),
        t.int({ description: `AWS SummaryMap key ${key}.`, resolve: (m) => m.get(key) ?? 0 }),
      ]),
    ),
  }),
});

builder.queryFields((t) => ({
  accountAuthorizationDetails: t.field({
    type: DetailsRef,
    description: "GetAccountAuthorizationDetails, optionally filtered to some entity types (default: all).",
    args: { filter: t.arg({ type: [EntityType], defaultValue: [] }) },
    resolve: (_root, args, ctx) => loadDetails(ctx, args.filter ?? []),
  }),
  accountSummary: t.field({
    type: AccountSummary,
    description: "GetAccountSummary: entity usage and quotas.",
    resolve: (_root, _args, ctx) => loadSummary(ctx),
  }),
}));

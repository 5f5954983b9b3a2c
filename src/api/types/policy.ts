import { DomainError } from "../../domain/shared/domain-error.js";
import { checkPath } from "../../domain/shared/names.js";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import { argumentDefaults } from "../mutation-commands.js";
import { iamErrors } from "./iam-error.js";
import { commandErrors, dryRunArgs, entityIdOf, sendMutation } from "../command-field.js";
import { TagInput, TagRef } from "./tag.js";
import { PositionPayload } from "./user.js";

export const PolicyVersionRef = builder.prismaObject("PolicyVersion", {
  description: "A version of a managed policy. Only the default version is in effect.",
  fields: (t) => ({
    versionId: t.exposeString("versionId", { description: "`v1`, `v2`, … never reused." }),
    document: t.exposeString("document", { description: "The policy document as JSON text, as written." }),
    isDefaultVersion: t.exposeBoolean("isDefault"),
    createDate: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const PolicyRef = builder.prismaObject("Policy", {
  description: "A managed policy: customer-managed (this account) or AWS-managed (`arn:aws:iam::aws:policy/…`).",
  fields: (t) => ({
    policyId: t.exposeString("id", { description: "The unique id (ANPA…)." }),
    policyName: t.exposeString("policyName"),
    path: t.exposeString("path"),
    arn: t.exposeString("arn"),
    description: t.exposeString("description"),
    defaultVersionId: t.exposeString("defaultVersionId"),
    isAttachable: t.boolean({ description: "Always true: every managed policy iamgraph holds can be attached.", resolve: () => true }),
    isAwsManaged: t.exposeBoolean("isAwsManaged"),
    attachmentCount: t.int({
      description: "Users, groups and roles the policy is attached to.",
      resolve: (policy, _args, ctx) => ctx.loaders.policies.attachmentCount.load(policy.arn),
    }),
    permissionsBoundaryUsageCount: t.int({
      description: "Users and roles using the policy as their permissions boundary.",
      resolve: (policy, _args, ctx) => ctx.loaders.policies.boundaryUsageCount.load(policy.arn),
    }),
    createDate: t.expose("createdAt", { type: "DateTime" }),
    updateDate: t.expose("updatedAt", { type: "DateTime" }),
    tags: t.field({
      // Policy tags share the GraphQL Tag type with users and roles.
      type: [TagRef],
      select: { tags: { select: { key: true, value: true }, orderBy: { keyKey: "asc" } } },
      resolve: (policy) => policy.tags as never, // TagRef reads only key and value
    }),
    versions: t.relation("versions", {
      description: "ListPolicyVersions, oldest first.",
      query: { orderBy: { createdAt: "asc" } },
    }),
    defaultVersion: t.field({
      type: PolicyVersionRef,
      description: "The version in effect (GetPolicyVersion with DefaultVersionId).",
      select: (_args, _ctx, nestedSelection) => ({ versions: { where: { isDefault: true }, take: 1, ...nestedSelection(true) } }),
      resolve: (policy) => policy.versions[0]!,
    }),
  }),
});

/** A policy that still exists after the change, looked up by ARN (or by id right after CreatePolicy). */
const PolicyPayload = builder.objectRef<{ where: Prisma.PolicyWhereUniqueInput; position: number }>("PolicyPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Position of the change's last event." }),
    policy: t.prismaField({
      type: "Policy",
      resolve: (query, parent, _args, ctx) => ctx.prisma.policy.findUniqueOrThrow({ ...query, where: parent.where }),
    }),
  }),
});

const PolicyVersionPayload = builder.objectRef<{ policyArn: string; versionId: string; position: number }>("PolicyVersionPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Position of the change's last event." }),
    policyVersion: t.prismaField({
      type: "PolicyVersion",
      resolve: (query, parent, _args, ctx) =>
        ctx.prisma.policyVersion.findFirstOrThrow({ ...query, where: { versionId: parent.versionId, policy: { arn: parent.policyArn } } }),
    }),
  }),
});

const PolicyScope = builder.enumType("PolicyScope", {
  description: "ListPolicies Scope: AWS-managed (`AWS`), customer-managed (`Local`) or both.",
  values: ["All", "AWS", "Local"] as const,
});

/** ListEntitiesForPolicy: who holds the policy, as graph nodes (each carries AWS's name and id). */
const EntitiesForPolicy = builder.objectRef<{ policyArn: string }>("EntitiesForPolicy").implement({
  fields: (t) => ({
    policyUsers: t.prismaField({
      type: ["User"],
      resolve: async (query, { policyArn }, _args, ctx) =>
        ctx.prisma.user.findMany({ ...query, where: { id: { in: await holderIds(ctx.prisma, policyArn, "user") } }, orderBy: { userNameKey: "asc" } }),
    }),
    policyGroups: t.prismaField({
      type: ["Group"],
      resolve: async (query, { policyArn }, _args, ctx) =>
        ctx.prisma.group.findMany({ ...query, where: { id: { in: await holderIds(ctx.prisma, policyArn, "group") } }, orderBy: { groupNameKey: "asc" } }),
    }),
    policyRoles: t.prismaField({
      type: ["Role"],
      resolve: async (query, { policyArn }, _args, ctx) =>
        ctx.prisma.role.findMany({ ...query, where: { id: { in: await holderIds(ctx.prisma, policyArn, "role") } }, orderBy: { roleNameKey: "asc" } }),
    }),
  }),
});

async function holderIds(prisma: PrismaClient, policyArn: string, entityType: string): Promise<string[]> {
  const rows = await prisma.policyAttachment.findMany({ where: { policyArn, entityType }, select: { entityId: true } });
  return rows.map((r) => r.entityId);
}

const errors = iamErrors;

builder.queryFields((t) => ({
  policy: t.prismaField({
    type: "Policy",
    nullable: true,
    description: "GetPolicy. Null when no managed policy has that ARN.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.policy.findFirst({ ...query, where: { arn: args.arn, accountId: { in: [ctx.accountId, "aws"] } } }),
  }),
  policies: t.prismaConnection({
    type: "Policy",
    cursor: "id",
    description: "ListPolicies: AWS-managed and/or customer-managed, optionally only those attached to someone, under a path prefix.",
    maxSize: 1000,
    defaultSize: 100,
    args: {
      scope: t.arg({ type: PolicyScope, defaultValue: "All" }),
      onlyAttached: t.arg.boolean({ defaultValue: false }),
      pathPrefix: t.arg.string({ defaultValue: "/" }),
    },
    resolve: async (query, _root, args, ctx) => {
      const pathPrefix = args.pathPrefix ?? "/";
      checkPath("pathPrefix", pathPrefix);
      const accounts = { All: [ctx.accountId, "aws"], AWS: ["aws"], Local: [ctx.accountId] }[args.scope ?? "All"];
      const attached = args.onlyAttached
        ? { arn: { in: (await ctx.prisma.policyAttachment.findMany({ distinct: ["policyArn"], select: { policyArn: true } })).map((a) => a.policyArn) } }
        : {};
      return ctx.prisma.policy.findMany({ ...query, where: { accountId: { in: accounts }, path: { startsWith: pathPrefix }, ...attached } });
    },
  }),
  policyVersion: t.prismaField({
    type: "PolicyVersion",
    nullable: true,
    description: "GetPolicyVersion. Null when the policy or the version does not exist.",
    args: { policyArn: t.arg.string({ required: true }), versionId: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.policyVersion.findFirst({ ...query, where: { versionId: args.versionId, policy: { arn: args.policyArn, accountId: { in: [ctx.accountId, "aws"] } } } }),
  }),
  entitiesForPolicy: t.field({
    type: EntitiesForPolicy,
    errors,
    description: "ListEntitiesForPolicy: the users, groups and roles the managed policy is attached to.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const policy = await ctx.prisma.policy.findFirst({ where: { arn: args.arn, accountId: { in: [ctx.accountId, "aws"] } }, select: { arn: true } });
      if (!policy) throw new DomainError("NoSuchEntity", `Policy ${args.arn} was not found.`);
      return { policyArn: policy.arn };
    },
  }),
}));

builder.mutationFields((t) => ({
  createPolicy: t.field({
    type: PolicyPayload,
    errors: commandErrors,
    description: "CreatePolicy: a customer-managed policy whose v1 is the default version.",
    args: {
      ...dryRunArgs,
      policyName: t.arg.string({ required: true }),
      path: t.arg.string({ defaultValue: argumentDefaults.path }),
      policyDocument: t.arg.string({ required: true }),
      description: t.arg.string({ defaultValue: argumentDefaults.description }),
      tags: t.arg({ type: [TagInput], defaultValue: [...argumentDefaults.tags] }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "createPolicy", args);
      return { where: { id: entityIdOf(result) }, position: result.position };
    },
  }),
  createPolicyVersion: t.field({
    type: PolicyVersionPayload,
    errors: commandErrors,
    description: "CreatePolicyVersion. At most 5 versions are kept (LimitExceeded on the 6th); AWS-managed policies cannot be changed.",
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }), policyDocument: t.arg.string({ required: true }), setAsDefault: t.arg.boolean({ defaultValue: argumentDefaults.setAsDefault }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "createPolicyVersion", args);
      const created = result.events.find((e) => e.type === "PolicyVersionCreated");
      if (created?.type !== "PolicyVersionCreated") throw new Error("CreatePolicyVersion appended no PolicyVersionCreated event");
      return { policyArn: created.data.arn, versionId: created.data.versionId, position: result.position };
    },
  }),
  setDefaultPolicyVersion: t.field({
    type: PolicyPayload,
    errors: commandErrors,
    description: "SetDefaultPolicyVersion: the version takes effect for every holder at once.",
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }), versionId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "setDefaultPolicyVersion", args);
      return { where: { arn: args.policyArn }, position: result.position };
    },
  }),
  deletePolicyVersion: t.field({
    type: PolicyPayload,
    errors: commandErrors,
    description: "DeletePolicyVersion. The default version cannot be deleted (DeleteConflict).",
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }), versionId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "deletePolicyVersion", args);
      return { where: { arn: args.policyArn }, position: result.position };
    },
  }),
  deletePolicy: t.field({
    type: PositionPayload,
    errors: commandErrors,
    description: "DeletePolicy. DeleteConflict while attached, used as a boundary, or holding versions besides the default.",
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "deletePolicy", args)).position }),
  }),
  tagPolicy: t.field({
    type: PolicyPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }), tags: t.arg({ type: [TagInput], required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "tagPolicy", args);
      return { where: { arn: args.policyArn }, position: result.position };
    },
  }),
  untagPolicy: t.field({
    type: PolicyPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, policyArn: t.arg.string({ required: true }), tagKeys: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "untagPolicy", args);
      return { where: { arn: args.policyArn }, position: result.position };
    },
  }),
}));

import { checkPath, nameKey } from "../../domain/shared/names.js";
import { builder } from "../builder.js";
import { argumentDefaults } from "../mutation-commands.js";
import { commandErrors, dryRunArgs, entityIdOf, sendMutation } from "../command-field.js";
import { TagInput, TagRef } from "./tag.js";
import { PositionPayload } from "./user.js";

export const RoleRef = builder.prismaObject("Role", {
  description: "An IAM role: an identity with permissions that trusted principals assume (its trust policy says who).",
  fields: (t) => ({
    roleId: t.exposeString("id", { description: "The unique id (AROA…)." }),
    roleName: t.exposeString("roleName"),
    path: t.exposeString("path"),
    arn: t.exposeString("arn"),
    description: t.exposeString("description"),
    maxSessionDuration: t.exposeInt("maxSessionDuration", { description: "Seconds, 3600–43200." }),
    assumeRolePolicyDocument: t.exposeString("assumeRolePolicyDocument", {
      description: "The trust policy as JSON text, as it was written (AWS returns it URL-encoded; iamgraph does not).",
    }),
    createDate: t.expose("createdAt", { type: "DateTime" }),
    tags: t.field({
      // Role tags share the user's GraphQL Tag type: one `Tag { key value }` shape, as in AWS.
      type: [TagRef],
      select: { tags: { select: { key: true, value: true }, orderBy: { keyKey: "asc" } } },
      resolve: (role) => role.tags as never, // TagRef reads only key and value
    }),
  }),
});

const RolePayload = builder.objectRef<{ roleId: string; position: number }>("RolePayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Position of the change's last event." }),
    role: t.prismaField({
      type: "Role",
      resolve: (query, parent, _args, ctx) => ctx.prisma.role.findUniqueOrThrow({ ...query, where: { id: parent.roleId } }),
    }),
  }),
});

builder.queryFields((t) => ({
  role: t.prismaField({
    type: "Role",
    nullable: true,
    description: "GetRole. Null when no role has that name.",
    args: { roleName: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.role.findUnique({ ...query, where: { accountId_roleNameKey: { accountId: ctx.accountId, roleNameKey: nameKey(args.roleName) } } }),
  }),
  roles: t.prismaConnection({
    type: "Role",
    cursor: "id",
    description: "ListRoles, optionally under a path prefix.",
    maxSize: 1000,
    defaultSize: 100,
    args: { pathPrefix: t.arg.string({ defaultValue: "/" }) },
    resolve: (query, _root, args, ctx) => {
      const pathPrefix = args.pathPrefix ?? "/";
      checkPath("pathPrefix", pathPrefix);
      return ctx.prisma.role.findMany({ ...query, where: { accountId: ctx.accountId, path: { startsWith: pathPrefix } } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createRole: t.field({
    type: RolePayload,
    errors: commandErrors,
    description: "CreateRole. The trust policy must name a Principal and allow sts actions only.",
    args: {
      ...dryRunArgs,
      roleName: t.arg.string({ required: true }),
      path: t.arg.string({ defaultValue: argumentDefaults.path }),
      assumeRolePolicyDocument: t.arg.string({ required: true }),
      description: t.arg.string({ defaultValue: argumentDefaults.description }),
      maxSessionDuration: t.arg.int({ defaultValue: argumentDefaults.maxSessionDuration }),
      tags: t.arg({ type: [TagInput], defaultValue: [...argumentDefaults.tags] }),
      permissionsBoundary: t.arg.string({ description: "A managed policy's ARN: the new role's permissions boundary, set with the creation (authorized as iam:CreateRole with iam:PermissionsBoundary)." }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "createRole", args);
      return { roleId: entityIdOf(result), position: result.position };
    },
  }),
  updateAssumeRolePolicy: t.field({
    type: RolePayload,
    errors: commandErrors,
    description: "UpdateAssumeRolePolicy: replaces the role's trust policy.",
    args: { ...dryRunArgs, roleName: t.arg.string({ required: true }), policyDocument: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "updateAssumeRolePolicy", args);
      return { roleId: entityIdOf(result), position: result.position };
    },
  }),
  tagRole: t.field({
    type: RolePayload,
    errors: commandErrors,
    description: "TagRole: adds tags or overwrites their values (keys compared ignoring case); at most 50 per role.",
    args: { ...dryRunArgs, roleName: t.arg.string({ required: true }), tags: t.arg({ type: [TagInput], required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "tagRole", args);
      return { roleId: entityIdOf(result), position: result.position };
    },
  }),
  untagRole: t.field({
    type: RolePayload,
    errors: commandErrors,
    description: "UntagRole: removes the tags with these keys (ignoring case); keys the role does not have are no error.",
    args: { ...dryRunArgs, roleName: t.arg.string({ required: true }), tagKeys: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "untagRole", args);
      return { roleId: entityIdOf(result), position: result.position };
    },
  }),
  deleteRole: t.field({
    type: PositionPayload,
    errors: commandErrors,
    description: "DeleteRole. DeleteConflict while the role still holds managed or inline policies.",
    args: { ...dryRunArgs, roleName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "deleteRole", args)).position }),
  }),
}));

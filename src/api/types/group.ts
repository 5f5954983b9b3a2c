import { checkPath, nameKey } from "../../domain/shared/names.js";
import { builder } from "../builder.js";
import { argumentDefaults } from "../mutation-commands.js";
import { commandErrors, dryRunArgs, entityIdOf, sendMutation } from "../command-field.js";
import { PositionPayload } from "./user.js";

export const GroupRef = builder.prismaObject("Group", {
  description: "An IAM group: a set of users. Groups hold users only and cannot be tagged.",
  fields: (t) => ({
    groupId: t.exposeString("id", { description: "The unique id (AGPA…)." }),
    groupName: t.exposeString("groupName"),
    path: t.exposeString("path"),
    arn: t.exposeString("arn"),
    createDate: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const GroupPayload = builder.objectRef<{ groupId: string; position: number }>("GroupPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Position of the change's last event." }),
    group: t.prismaField({
      type: "Group",
      resolve: (query, parent, _args, ctx) => ctx.prisma.group.findUniqueOrThrow({ ...query, where: { id: parent.groupId } }),
    }),
  }),
});

builder.queryFields((t) => ({
  group: t.prismaField({
    type: "Group",
    nullable: true,
    description: "GetGroup. Null when no group has that name.",
    args: { groupName: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.group.findUnique({ ...query, where: { accountId_groupNameKey: { accountId: ctx.accountId, groupNameKey: nameKey(args.groupName) } } }),
  }),
  groups: t.prismaConnection({
    type: "Group",
    cursor: "id",
    description: "ListGroups, optionally under a path prefix.",
    maxSize: 1000,
    defaultSize: 100,
    args: { pathPrefix: t.arg.string({ defaultValue: "/" }) },
    resolve: (query, _root, args, ctx) => {
      const pathPrefix = args.pathPrefix ?? "/";
      checkPath("pathPrefix", pathPrefix);
      return ctx.prisma.group.findMany({ ...query, where: { accountId: ctx.accountId, path: { startsWith: pathPrefix } } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createGroup: t.field({
    type: GroupPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, groupName: t.arg.string({ required: true }), path: t.arg.string({ defaultValue: argumentDefaults.path }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "createGroup", args);
      return { groupId: entityIdOf(result), position: result.position };
    },
  }),
  updateGroup: t.field({
    type: GroupPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, groupName: t.arg.string({ required: true }), newGroupName: t.arg.string(), newPath: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "updateGroup", args);
      const groupId = result.events[0] ? entityIdOf(result) : (await ctx.loaders.groupByName.load(args.groupName))!.id;
      return { groupId, position: result.position };
    },
  }),
  deleteGroup: t.field({
    type: PositionPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, groupName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "deleteGroup", args)).position }),
  }),
}));

import { DomainError } from "../../domain/shared/domain-error.js";
import { checkName, checkPath, nameKey, nameLimits } from "../../domain/shared/names.js";
import { builder } from "../builder.js";
import { argumentDefaults } from "../mutation-commands.js";
import { commandErrors, dryRunArgs, entityIdOf, sendMutation } from "../command-field.js";
import { TagInput } from "./tag.js";

export const UserRef = builder.prismaObject("User", {
  description: "An IAM user.",
  fields: (t) => ({
    userId: t.exposeString("id", { description: "The unique id (AIDA…). A re-created user of the same name gets a new one." }),
    userName: t.exposeString("userName"),
    path: t.exposeString("path"),
    arn: t.exposeString("arn"),
    createDate: t.expose("createdAt", { type: "DateTime" }),
    tags: t.relation("tags"),
  }),
});

const PositionPayload = builder.objectRef<{ position: number }>("PositionPayload").implement({
  description: "A change that leaves no entity to return (a delete, a membership change).",
  fields: (t) => ({ position: t.expose("position", { type: "Position" }) }),
});

const UserPayload = builder.objectRef<{ userId: string; position: number }>("UserPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Position of the change's last event." }),
    user: t.prismaField({
      type: "User",
      resolve: (query, parent, _args, ctx) => ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: parent.userId } }),
    }),
  }),
});

builder.queryFields((t) => ({
  user: t.prismaField({
    type: "User",
    nullable: true,
    description: "GetUser. Null when no user has that name.",
    args: { userName: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.user.findUnique({ ...query, where: { accountId_userNameKey: { accountId: ctx.accountId, userNameKey: nameKey(args.userName) } } }),
  }),
  users: t.prismaConnection({
    type: "User",
    cursor: "id",
    description: "ListUsers, optionally under a path prefix.",
    maxSize: 1000,
    defaultSize: 100,
    args: {
      pathPrefix: t.arg.string({ defaultValue: "/" }),
      nameContains: t.arg.string({
        description:
          "iamgraph's extension (AWS's ListUsers has no name filter): only users whose name contains this text, compared case-insensitively as IAM compares names. Pages as without it: the cursor is the same, so a page never holds a user outside the filter and paging through the filter lists each match once.",
      }),
    },
    resolve: (query, _root, args, ctx) => {
      const pathPrefix = args.pathPrefix ?? "/";
      checkPath("pathPrefix", pathPrefix);
      const nameContains = args.nameContains ?? "";
      if (nameContains) checkName("nameContains", nameContains, nameLimits.user);
      // Names may hold `_`, LIKE's any-character, and Prisma's `contains` passes it through: escaped
      // here (PostgreSQL's default LIKE escape is `\`; names can hold neither `\` nor `%`).
      const name = nameContains ? { userNameKey: { contains: nameKey(nameContains).replaceAll("_", "\\_") } } : {};
      return ctx.prisma.user.findMany({ ...query, where: { accountId: ctx.accountId, path: { startsWith: pathPrefix }, ...name } });
    },
  }),
  groupsForUser: t.prismaField({
    type: ["Group"],
    description: "ListGroupsForUser.",
    args: { userName: t.arg.string({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const user = await ctx.loaders.userByName.load(args.userName);
      if (!user) throw new DomainError("NoSuchEntity", `The user with name ${args.userName} cannot be found.`);
      return ctx.prisma.group.findMany({ ...query, where: { memberships: { some: { userId: user.id } } } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserPayload,
    errors: commandErrors,
    args: {
      ...dryRunArgs,
      userName: t.arg.string({ required: true }),
      path: t.arg.string({ defaultValue: argumentDefaults.path }),
      tags: t.arg({ type: [TagInput], defaultValue: [...argumentDefaults.tags] }),
      permissionsBoundary: t.arg.string({ description: "A managed policy's ARN: the new user's permissions boundary, set with the creation (authorized as iam:CreateUser with iam:PermissionsBoundary)." }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "createUser", args);
      return { userId: entityIdOf(result), position: result.position };
    },
  }),
  updateUser: t.field({
    type: UserPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }), newUserName: t.arg.string(), newPath: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "updateUser", args);
      const userId = result.events[0] ? entityIdOf(result) : (await ctx.loaders.userByName.load(args.userName))!.id;
      return { userId, position: result.position };
    },
  }),
  deleteUser: t.field({
    type: PositionPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "deleteUser", args)).position }),
  }),
  tagUser: t.field({
    type: UserPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }), tags: t.arg({ type: [TagInput], required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "tagUser", args);
      return { userId: entityIdOf(result), position: result.position };
    },
  }),
  untagUser: t.field({
    type: UserPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }), tagKeys: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await sendMutation(ctx, "untagUser", args);
      return { userId: entityIdOf(result), position: result.position };
    },
  }),
  addUserToGroup: t.field({
    type: PositionPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }), groupName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({
      position: (await sendMutation(ctx, "addUserToGroup", args)).position,
    }),
  }),
  removeUserFromGroup: t.field({
    type: PositionPayload,
    errors: commandErrors,
    args: { ...dryRunArgs, userName: t.arg.string({ required: true }), groupName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({
      position: (await sendMutation(ctx, "removeUserFromGroup", args)).position,
    }),
  }),
}));

export { PositionPayload };

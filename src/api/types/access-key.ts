import { GraphQLError } from "graphql";
import { createAccessKey, deleteAccessKey, updateAccessKey } from "../../auth/access-key-commands.js";
import { userNameOrCaller } from "../../auth/caller.js";
import { commandFor } from "../mutation-commands.js";
import { noSuchEntity } from "../../domain/shared/domain-error.js";
import { builder } from "../builder.js";
import { commandErrors, DryRunPreview, dryRunArgs, requestOf } from "../command-field.js";
import { previewAccessKeyDeletion, type AccessKeyImpact } from "../../auth/access-key-deletion-preview.js";
import type { ChangePreview } from "../../app/preview-change.js";
import { ChangePreviewRef } from "./preview-change.js";
import { iamErrors } from "./iam-error.js";
import { PositionPayload } from "./user.js";

// Access keys (CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
// GetAccessKeyLastUsed) and GetCallerIdentity. A secret appears in exactly one response: the
// CreateAccessKey that made it. See README "Credentials".

const AccessKeyStatus = builder.enumType("AccessKeyStatus", {
  description: "Active keys authenticate; Inactive ones are refused (InvalidClientTokenId) until reactivated.",
  values: ["Active", "Inactive"] as const,
});

builder.prismaObject("AccessKey", {
  name: "AccessKeyMetadata",
  description: "ListAccessKeys: a key's id and status. The secret is never shown again after CreateAccessKey.",
  fields: (t) => ({
    accessKeyId: t.exposeString("accessKeyId"),
    status: t.field({ type: AccessKeyStatus, resolve: (k) => k.status as "Active" | "Inactive" }),
    createDate: t.expose("createdAt", { type: "DateTime" }),
    userName: t.string({ select: { user: { select: { userName: true } } }, resolve: (k) => k.user.userName }),
    canAuthenticate: t.boolean({
      description:
        "False for a key whose secret this store does not hold — one imported with a log (`events import`: secrets never travel, by design): it is listed as AWS would, but every request signed with it is refused (InvalidClientTokenId). Rotate it: create a new key, delete this one. True for an Active key whose secret is stored; false for an Inactive one.",
      resolve: async (k, _args, ctx) => k.status === "Active" && (await ctx.loaders.keyHasSecret.load(k.accessKeyId)),
    }),
    canSign: t.boolean({
      description:
        "Whether the key can sign requests with AWS Signature Version 4 (the AWS CLI, SDKs, boto3; README \"Use your AWS tools\"): true when its secret is stored sealed under the master key. False for a key made before secrets were sealed — it still authenticates with HTTP Basic; rotate it (createAccessKey, then deleteAccessKey) to use AWS tools.",
      resolve: (k, _args, ctx) => ctx.loaders.keyCanSign.load(k.accessKeyId),
    }),
  }),
});

builder.prismaObjectField("User", "accessKeys", (t) => t.relation("accessKeys", { description: "ListAccessKeys for this user." }));

interface NewAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly userName: string;
  readonly createDate: Date;
}

const AccessKeyWithSecret = builder.objectRef<NewAccessKey>("AccessKey").implement({
  description: "A new key with its secret: shown once, stored only as a slow salted hash.",
  fields: (t) => ({
    accessKeyId: t.exposeString("accessKeyId"),
    secretAccessKey: t.exposeString("secretAccessKey"),
    status: t.field({ type: AccessKeyStatus, resolve: () => "Active" as const }),
    userName: t.exposeString("userName"),
    createDate: t.expose("createDate", { type: "DateTime" }),
  }),
});

const AccessKeyPayload = builder.objectRef<{ position: number; accessKey: NewAccessKey }>("AccessKeyPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position" }),
    accessKey: t.field({ type: AccessKeyWithSecret, resolve: (p) => p.accessKey }),
  }),
});

const AccessKeyLastUsed = builder.objectRef<{ userName: string; lastUsedDate: Date | null }>("AccessKeyLastUsed").implement({
  description: "GetAccessKeyLastUsed. Recorded to the minute: last use is telemetry, not an event.",
  fields: (t) => ({
    userName: t.exposeString("userName"),
    lastUsedDate: t.expose("lastUsedDate", { type: "DateTime", nullable: true }),
    serviceName: t.string({ description: `"iam" once used, "N/A" before, as in AWS.`, resolve: (r) => (r.lastUsedDate ? "iam" : "N/A") }),
  }),
});

const CallerIdentity = builder.objectRef<{ account: string; arn: string; userId: string }>("CallerIdentity").implement({
  description: "GetCallerIdentity: who the request's credentials belong to.",
  fields: (t) => ({
    account: t.exposeString("account"),
    arn: t.exposeString("arn"),
    userId: t.exposeString("userId", { description: "The user's id (AIDA…), a role session's `AROA…:<session name>`; the account id for root." }),
  }),
});

/** A dry-run DeleteAccessKey: the ChangePreview member of its result, with what stops working. */
class AccessKeyDeletionPreview extends DryRunPreview {
  constructor(preview: ChangePreview, readonly impact: AccessKeyImpact) {
    super(preview);
  }
}

const AccessKeyImpactRef = builder.objectRef<AccessKeyImpact>("AccessKeyImpact").implement({
  description: "What deleting an access key stops: every request signed with it is refused (InvalidClientTokenId); its user's policies and other keys are untouched.",
  fields: (t) => ({
    accessKeyId: t.exposeString("accessKeyId"),
    userName: t.exposeString("userName"),
    userArn: t.exposeString("userArn"),
    status: t.field({ type: AccessKeyStatus, resolve: (i) => i.status }),
    lastUsedDate: t.expose("lastUsedDate", { type: "DateTime", nullable: true }),
    signedRequestsStop: t.exposeBoolean("signedRequestsStop", { description: "False for an Inactive key: it is refused already." }),
    allowedActions: t.exposeStringList("allowedActions", { description: "The actions its user's policies name and allow on \"*\": what requests signed with the key can do now, and could not after." }),
    otherActiveKeys: t.exposeStringList("otherActiveKeys", { description: "The user's other Active keys, which keep working." }),
  }),
});

builder.objectField(ChangePreviewRef, "accessKeyImpact", (t) =>
  t.field({
    type: AccessKeyImpactRef,
    nullable: true,
    description: "Set for a dry-run deleteAccessKey: what stops working with the key.",
    // The errors plugin hands the thrown preview on behind a proxy of DryRunPreview (so
    // `instanceof` the subclass is false); its own fields read through.
    resolve: (p) => (p as Partial<AccessKeyDeletionPreview>).impact ?? null,
  }),
);

builder.queryFields((t) => ({
  accessKeys: t.prismaField({
    type: ["AccessKey"],
    description: "ListAccessKeys: the named user's keys, or the caller's own.",
    args: { userName: t.arg.string() },
    resolve: async (query, _root, args, ctx) => {
      const userName = userNameOrCaller(args.userName, ctx.caller);
      const user = await ctx.loaders.userByName.load(userName);
      if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
      return ctx.prisma.accessKey.findMany({ ...query, where: { userId: user.id }, orderBy: { createdAt: "asc" } });
    },
  }),
  accessKeyLastUsed: t.field({
    type: AccessKeyLastUsed,
    args: { accessKeyId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const key = await ctx.prisma.accessKey.findUnique({ where: { accessKeyId: args.accessKeyId }, select: { user: { select: { userName: true } } } });
      if (!key) throw noSuchEntity(`The Access Key with id ${args.accessKeyId} cannot be found.`);
      return { userName: key.user.userName, lastUsedDate: await ctx.credentials.lastUsed(args.accessKeyId) };
    },
  }),
  callerIdentity: t.field({
    type: CallerIdentity,
    resolve: (_root, _args, { caller }) => {
      if (caller.kind === "anonymous") throw new GraphQLError("Request is missing Authentication Token", { extensions: { code: "MissingAuthenticationToken" } });
      return {
      account: caller.accountId,
      arn: caller.arn,
      userId: caller.kind === "root" ? caller.accountId : caller.userId,
      };
    },
  }),
}));

builder.mutationFields((t) => ({
  createAccessKey: t.field({
    type: AccessKeyPayload,
    errors: iamErrors,
    description: "CreateAccessKey for the named user (or the caller). At most 2 per user. The secret is in this response only.",
    args: { userName: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const { accessKeyId: _madeWithTheSecret, ...command } = commandFor("createAccessKey", args, ctx.caller);
      const created = await createAccessKey(ctx.commands, command, requestOf(ctx), ctx.credentials);
      const event = created.result.events[0]!;
      return {
        position: created.result.position,
        accessKey: {
          accessKeyId: created.accessKeyId,
          secretAccessKey: created.secretAccessKey,
          userName: event.type === "AccessKeyCreated" ? event.data.userName : command.userName,
          createDate: event.occurredAt,
        },
      };
    },
  }),
  updateAccessKey: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description: "UpdateAccessKey: Active ⇄ Inactive. An inactive key stops authenticating at once.",
    args: { userName: t.arg.string(), accessKeyId: t.arg.string({ required: true }), status: t.arg({ type: AccessKeyStatus, required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await updateAccessKey(ctx.commands, commandFor("updateAccessKey", args, ctx.caller), requestOf(ctx));
      return { position: result.position };
    },
  }),
  deleteAccessKey: t.field({
    type: PositionPayload,
    errors: commandErrors,
    description:
      "DeleteAccessKey: the key and its secret's hash go together. With dryRun: a ChangePreview whose flips are empty (a key is a credential, not a permission) and whose accessKeyImpact says what stops working.",
    args: { dryRun: dryRunArgs.dryRun, userName: t.arg.string(), accessKeyId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const command = commandFor("deleteAccessKey", args, ctx.caller);
      if (args.dryRun) {
        const { preview, impact } = await previewAccessKeyDeletion(ctx.commands, ctx.prisma, ctx.credentials, command, requestOf(ctx));
        throw new AccessKeyDeletionPreview(preview, impact);
      }
      const result = await deleteAccessKey(ctx.commands, command, requestOf(ctx));
      return { position: result.position };
    },
  }),
}));


import type { OidcProvider } from "../../generated/prisma/client.js";
import { oidcProviderArn } from "../../domain/oidc-providers/decide.js";
import { sendMutation } from "../command-field.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";
import { TagInput, TagRef } from "./tag.js";
import { PositionPayload } from "./user.js";

// OpenID Connect identity providers (CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
// ListOpenIDConnectProviders, UpdateOpenIDConnectProviderThumbprint, Add/RemoveClientID…,
// DeleteOpenIDConnectProvider): IAM state, in the log, read from the oidc_providers projection.

const OidcProviderRef = builder.objectRef<OidcProvider>("OpenIDConnectProvider").implement({
  description: "An OpenID Connect identity provider: roles whose trust policy names its ARN as `Federated` accept its tokens (assumeRoleWithWebIdentity).",
  fields: (t) => ({
    arn: t.exposeString("arn"),
    url: t.exposeString("url"),
    clientIDList: t.stringList({ description: "The audiences (aud) accepted.", resolve: (p) => p.clientIds as string[] }),
    thumbprintList: t.stringList({ resolve: (p) => p.thumbprints as string[] }),
    tags: t.field({ type: [TagRef], resolve: (p) => p.tags as never }),
    createDate: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const CreatedPayload = builder.objectRef<{ position: number; arn: string }>("OpenIDConnectProviderPayload").implement({
  fields: (t) => ({
    position: t.expose("position", { type: "Position" }),
    openIDConnectProviderArn: t.exposeString("arn"),
  }),
});

builder.queryFields((t) => ({
  openIDConnectProvider: t.field({
    type: OidcProviderRef,
    nullable: true,
    description: "GetOpenIDConnectProvider. Null when no provider has that ARN.",
    args: { openIDConnectProviderArn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.prisma.oidcProvider.findFirst({ where: { arn: args.openIDConnectProviderArn, accountId: ctx.accountId } }),
  }),
  openIDConnectProviders: t.field({
    type: [OidcProviderRef],
    description: "ListOpenIDConnectProviders.",
    resolve: (_root, _args, ctx) => ctx.prisma.oidcProvider.findMany({ where: { accountId: ctx.accountId }, orderBy: { arn: "asc" } }),
  }),
}));


builder.mutationFields((t) => ({
  createOpenIDConnectProvider: t.field({
    type: CreatedPayload,
    errors: iamErrors,
    description: "CreateOpenIDConnectProvider: an https URL (host and optional path), up to 100 client ids (audiences), up to 5 thumbprints.",
    args: {
      url: t.arg.string({ required: true }),
      clientIDList: t.arg.stringList(),
      thumbprintList: t.arg.stringList(),
      tags: t.arg({ type: [TagInput] }),
    },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "createOpenIDConnectProvider", args)).position, arn: oidcProviderArn(ctx.accountId, args.url) }),
  }),
  updateOpenIDConnectProviderThumbprint: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description: "UpdateOpenIDConnectProviderThumbprint: replaces the thumbprint list.",
    args: { openIDConnectProviderArn: t.arg.string({ required: true }), thumbprintList: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "updateOpenIDConnectProviderThumbprint", args)).position }),
  }),
  addClientIDToOpenIDConnectProvider: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description: "AddClientIDToOpenIDConnectProvider (idempotent).",
    args: { openIDConnectProviderArn: t.arg.string({ required: true }), clientID: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "addClientIDToOpenIDConnectProvider", args)).position }),
  }),
  removeClientIDFromOpenIDConnectProvider: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description: "RemoveClientIDFromOpenIDConnectProvider (idempotent).",
    args: { openIDConnectProviderArn: t.arg.string({ required: true }), clientID: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "removeClientIDFromOpenIDConnectProvider", args)).position }),
  }),
  deleteOpenIDConnectProvider: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description: "DeleteOpenIDConnectProvider: roles naming it stop accepting its tokens.",
    args: { openIDConnectProviderArn: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "deleteOpenIDConnectProvider", args)).position }),
  }),
}));


import type { RoleSession } from "../../generated/prisma/client.js";
import type { IssuedSession } from "../../sts/assume-role.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { callerRequest, originContext } from "../authorization/authorize-checks.js";
import { sendMutation } from "../command-field.js";
import type { Context } from "../context.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";
import { TagInput, TagRef } from "./tag.js";
import { PositionPayload } from "./user.js";

// STS AssumeRole over GraphQL, the record of issued sessions (roleSessions), and AWS's "revoke
// active sessions" (revokeRoleSessions). Sessions are not events: see src/sts/session-store.ts.

export const Credentials = builder.objectRef<IssuedSession>("Credentials").implement({
  description: "Temporary security credentials. The secret and token are shown in this response only; send them as HTTP Basic (id:secret) plus an `X-Amz-Security-Token` header.",
  fields: (t) => ({
    accessKeyId: t.exposeString("accessKeyId", { description: "ASIA…" }),
    secretAccessKey: t.exposeString("secretAccessKey"),
    sessionToken: t.exposeString("sessionToken"),
    expiration: t.expose("expiration", { type: "DateTime" }),
  }),
});

export const AssumedRoleUser = builder.objectRef<IssuedSession>("AssumedRoleUser").implement({
  fields: (t) => ({
    arn: t.exposeString("assumedRoleArn", { description: "arn:aws:sts::<account>:assumed-role/<role>/<session>" }),
    assumedRoleId: t.exposeString("assumedRoleId", { description: "AROA…:<session>" }),
  }),
});

const AssumeRoleResponse = builder.objectRef<IssuedSession>("AssumeRoleResponse").implement({
  fields: (t) => ({
    credentials: t.field({ type: Credentials, resolve: (s) => s }),
    assumedRoleUser: t.field({ type: AssumedRoleUser, resolve: (s) => s }),
    packedPolicySize: t.exposeInt("packedPolicySize", { description: "Percent of the allowed packed size of session policies and tags." }),
    sourceIdentity: t.string({ nullable: true, resolve: (s) => s.sourceIdentity ?? null }),
  }),
});

const RoleSessionRef = builder.objectRef<RoleSession>("RoleSession").implement({
  description: "A session STS issued for a role: who held it, how, from when until when. A record, not an event; never its secret.",
  fields: (t) => ({
    accessKeyId: t.exposeString("accessKeyId"),
    roleArn: t.exposeString("roleArn"),
    sessionName: t.exposeString("sessionName"),
    assumedRoleArn: t.exposeString("assumedRoleArn"),
    assumedRoleId: t.string({ resolve: (s) => `${s.roleId}:${s.sessionName}` }),
    via: t.exposeString("via", { description: "AssumeRole or AssumeRoleWithWebIdentity." }),
    issuedBy: t.exposeString("issuedBy", { description: "The caller's ARN (AssumeRole) or the web identity's subject." }),
    providerArn: t.exposeString("providerArn", { nullable: true }),
    sourceIdentity: t.exposeString("sourceIdentity", { nullable: true }),
    chained: t.exposeBoolean("chained", { description: "Issued to a role session (role chaining)." }),
    sessionPolicyCount: t.int({ resolve: (s) => (s.sessionPolicies as unknown[]).length }),
    tags: t.field({ type: [TagRef], resolve: (s) => s.tags as never }), // TagRef reads only key and value
    transitiveTagKeys: t.stringList({ resolve: (s) => s.transitiveTagKeys as unknown as string[] }),
    issuedAt: t.expose("issuedAt", { type: "DateTime" }),
    expiration: t.expose("expiresAt", { type: "DateTime" }),
    active: t.boolean({ description: "Not yet expired (a revoked session is still listed: revocation is a policy, see revokeRoleSessions).", resolve: (s, _a, ctx) => s.expiresAt.getTime() > stsOf(ctx).currentTime().getTime() }),
  }),
});

function stsOf(ctx: Context) {
  if (!ctx.sts) throw new Error("STS is not configured in this server");
  return ctx.sts;
}

builder.queryFields((t) => ({
  roleSessions: t.field({
    type: [RoleSessionRef],
    description:
      "The sessions issued for a role, newest first (at most `limit`, default 100). With `activeAt`, only those that were valid then: who held the role at that moment (revocation aside, which is a policy: see the role's history).",
    args: { roleArn: t.arg.string({ required: true }), limit: t.arg.int(), activeAt: t.arg({ type: "DateTime" }) },
    resolve: (_root, args, ctx) => stsOf(ctx).roleSessions(args.roleArn, Math.min(Math.max(args.limit ?? 100, 1), 1000), args.activeAt ?? undefined),
  }),
}));

builder.mutationFields((t) => ({
  assumeRole: t.field({
    type: AssumeRoleResponse,
    errors: iamErrors,
    description:
      "STS AssumeRole: temporary credentials for a role whose trust policy admits the caller (and whose identity policies allow sts:AssumeRole, unless the trust policy names the caller in the role's account). Not an event: the session is recorded in roleSessions.",
    args: {
      roleArn: t.arg.string({ required: true }),
      roleSessionName: t.arg.string({ required: true }),
      durationSeconds: t.arg.int({ description: "900 to the role's MaxSessionDuration (default 3600); at most 3600 when chained." }),
      policy: t.arg.string({ description: "An inline session policy (at most 2,048 characters)." }),
      policyArns: t.arg.stringList({ description: "Managed session policies (at most 10)." }),
      tags: t.arg({ type: [TagInput], description: "Session tags (need sts:TagSession)." }),
      transitiveTagKeys: t.arg.stringList(),
      externalId: t.arg.string(),
      sourceIdentity: t.arg.string({ description: "Needs sts:SetSourceIdentity; carried into chained sessions." }),
    },
    resolve: (_root, args, ctx) =>
      stsOf(ctx).assumeRole(ctx.caller, originContext(ctx.origin), args, async (action, resource, context) => {
        const [result] = await ctx.authorizer.authorizeMany([callerRequest(ctx, action, resource, context)]);
        return result instanceof DomainError ? undefined : result;
      }),
  }),
  revokeRoleSessions: t.field({
    type: PositionPayload,
    errors: iamErrors,
    description:
      "Revokes the role's active sessions as AWS does: puts the inline policy AWSRevokeOlderSessions, denying everything to sessions issued before now (aws:TokenIssueTime). Needs iam:PutRolePolicy; sessions issued afterwards work.",
    args: { roleName: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => ({ position: (await sendMutation(ctx, "revokeRoleSessions", { ...args, revokedBefore: stsOf(ctx).currentTime() })).position }),
  }),
}));

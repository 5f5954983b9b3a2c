import type { InlinePolicy } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import { commandErrors, dryRunArgs, sendMutation } from "../command-field.js";
import type { Context } from "../context.js";
import type { AttachedPolicy } from "../policy-loaders.js";
import { GroupRef } from "./group.js";
import { RoleRef } from "./role.js";
import { PositionPayload, UserRef } from "./user.js";

// What users, groups and roles hold: attached managed policies, inline policies, a boundary
// (users and roles), and the AWS operations that change them. Reads go through per-request
// loaders, so a page of users with their policies costs one statement per field.

export const AttachedPolicyRef = builder.objectRef<AttachedPolicy>("AttachedPolicy").implement({
  description: "A managed policy attached to a user, group or role (ListAttached…Policies).",
  fields: (t) => ({ policyName: t.exposeString("policyName"), policyArn: t.exposeString("policyArn") }),
});

export const InlinePolicyRef = builder.objectRef<Pick<InlinePolicy, "policyName" | "document">>("InlinePolicy").implement({
  description: "A policy embedded in one user, group or role (Get…Policy).",
  fields: (t) => ({
    policyName: t.exposeString("policyName"),
    policyDocument: t.exposeString("document", { description: "JSON text, as written (AWS returns it URL-encoded)." }),
  }),
});

const PermissionsBoundaryAttachmentType = builder.enumType("PermissionsBoundaryAttachmentType", {
  description: "What kind of thing sets the boundary; AWS has one value.",
  values: ["PermissionsBoundaryPolicy"] as const,
});

export const AttachedPermissionsBoundaryRef = builder.objectRef<{ permissionsBoundaryArn: string }>("AttachedPermissionsBoundary").implement({
  description: "The managed policy that caps what a user or role may do; it never grants by itself.",
  fields: (t) => ({
    permissionsBoundaryType: t.field({ type: PermissionsBoundaryAttachmentType, resolve: () => "PermissionsBoundaryPolicy" as const }),
    permissionsBoundaryArn: t.exposeString("permissionsBoundaryArn"),
  }),
});

const attachedPolicies = (id: string, ctx: Context) => ctx.loaders.policies.attachedPolicies.load(id);
const inlinePolicies = (id: string, ctx: Context) => ctx.loaders.policies.inlinePolicies.load(id);
const inlinePolicy = async (id: string, name: string, ctx: Context) => (await inlinePolicies(id, ctx)).find((p) => p.policyName === name) ?? null;

// The same three fields on each holder; `id` is the user's, group's or role's unique id.
for (const ref of [UserRef, GroupRef, RoleRef] as const) {
  builder.prismaObjectFields(ref as typeof UserRef, (t) => ({
    attachedPolicies: t.field({
      type: [AttachedPolicyRef],
      description: "The managed policies attached directly (not through groups).",
      resolve: (holder, _args, ctx) => attachedPolicies(holder.id, ctx),
    }),
    inlinePolicies: t.field({
      type: [InlinePolicyRef],
      description: "The inline policies, by name.",
      resolve: (holder, _args, ctx) => inlinePolicies(holder.id, ctx),
    }),
    inlinePolicy: t.field({
      type: InlinePolicyRef,
      nullable: true,
      description: "One inline policy by name; null when there is none of that name.",
      args: { policyName: t.arg.string({ required: true }) },
      resolve: (holder, args, ctx) => inlinePolicy(holder.id, args.policyName, ctx),
    }),
  }));
}

builder.prismaObjectField(UserRef, "permissionsBoundary", (t) =>
  t.field({
    type: AttachedPermissionsBoundaryRef,
    nullable: true,
    resolve: (user) => (user.permissionsBoundaryArn ? { permissionsBoundaryArn: user.permissionsBoundaryArn } : null),
  }),
);
builder.prismaObjectField(RoleRef, "permissionsBoundary", (t) =>
  t.field({
    type: AttachedPermissionsBoundaryRef,
    nullable: true,
    resolve: (role) => (role.permissionsBoundaryArn ? { permissionsBoundaryArn: role.permissionsBoundaryArn } : null),
  }),
);

const holders = [
  { entityType: "user", Noun: "User", nameArg: "userName" },
  { entityType: "group", Noun: "Group", nameArg: "groupName" },
  { entityType: "role", Noun: "Role", nameArg: "roleName" },
] as const;

/** One mutation per AWS operation; each sends one permissions command and returns its position. */
function positionMutation(fieldName: string, description: string, argNames: readonly string[]) {
  builder.mutationField(fieldName, (t) =>
    t.field({
      type: PositionPayload,
      errors: commandErrors,
      description,
      args: { ...dryRunArgs, ...Object.fromEntries(argNames.map((name) => [name, t.arg.string({ required: true })])) },
      resolve: async (_root, a, ctx) => ({ position: (await sendMutation(ctx, fieldName, a)).position }),
    }),
  );
}

for (const { entityType, Noun, nameArg } of holders) {
  positionMutation(`attach${Noun}Policy`, `Attach${Noun}Policy. At most 10 managed policies per ${entityType} (LimitExceeded); attaching again changes nothing.`, [nameArg, "policyArn"]);
  positionMutation(`detach${Noun}Policy`, `Detach${Noun}Policy.`, [nameArg, "policyArn"]);
  positionMutation(`put${Noun}Policy`, `Put${Noun}Policy: creates or replaces an inline policy.`, [nameArg, "policyName", "policyDocument"]);
  positionMutation(`delete${Noun}Policy`, `Delete${Noun}Policy: deletes an inline policy.`, [nameArg, "policyName"]);
}

for (const { entityType, Noun, nameArg } of holders.filter((h) => h.entityType !== "group")) {
  positionMutation(`put${Noun}PermissionsBoundary`, `Put${Noun}PermissionsBoundary: sets or replaces the ${entityType}'s boundary.`, [nameArg, "permissionsBoundary"]);
  positionMutation(`delete${Noun}PermissionsBoundary`, `Delete${Noun}PermissionsBoundary.`, [nameArg]);
}

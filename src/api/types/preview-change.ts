import type { Command } from "../../app/command.js";
import { previewChange, type ChangePreview, type DecisionFlip } from "../../app/preview-change.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { wrapOrThrow } from "@pothos/plugin-errors";
import { builder } from "../builder.js";
import type { Caller } from "../../auth/caller.js";
import { DryRunPreview, requestOf } from "../command-field.js";
import { argumentDefaults, mutationCommands } from "../mutation-commands.js";
import { HistoricDecision } from "./time-travel.js";

// Dry run / blast radius: what a change would do to every affected principal's decisions, computed
// by the pipeline in rollback mode (src/app/preview-change.ts).

const HolderKind = builder.enumType("PreviewHolderType", { values: ["user", "group", "role"] as const });
const BoundaryHolderKind = builder.enumType("PreviewBoundaryHolderType", { values: ["user", "role"] as const });

const holder = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<{}>, "InputObject">) => ({
  entityType: t.field({ type: HolderKind as never, required: true }),
  entityName: t.string({ required: true }),
});

const PolicyRefInput = builder.inputType("PreviewPolicyAttachmentInput", {
  fields: (t) => ({ ...holder(t as never), policyArn: t.string({ required: true }) }),
});
const InlineNameInput = builder.inputType("PreviewInlinePolicyInput", {
  fields: (t) => ({ ...holder(t as never), policyName: t.string({ required: true }), policyDocument: t.string() }),
});
const BoundaryInput = builder.inputType("PreviewBoundaryInput", {
  fields: (t) => ({ entityType: t.field({ type: BoundaryHolderKind, required: true }), entityName: t.string({ required: true }), policyArn: t.string() }),
});
const MembershipInput = builder.inputType("PreviewMembershipInput", {
  fields: (t) => ({ userName: t.string({ required: true }), groupName: t.string({ required: true }) }),
});
const NewVersionInput = builder.inputType("PreviewPolicyVersionInput", {
  fields: (t) => ({ policyArn: t.string({ required: true }), policyDocument: t.string({ required: true }), setAsDefault: t.boolean({ defaultValue: argumentDefaults.setAsDefault }) }),
});
const DefaultVersionInput = builder.inputType("PreviewDefaultVersionInput", {
  fields: (t) => ({ policyArn: t.string({ required: true }), versionId: t.string({ required: true }) }),
});

const ChangeInput = builder.inputType("ChangeInput", {
  description: "Exactly one change, named as the mutation that would make it.",
  fields: (t) => ({
    createPolicyVersion: t.field({ type: NewVersionInput }),
    setDefaultPolicyVersion: t.field({ type: DefaultVersionInput }),
    attachPolicy: t.field({ type: PolicyRefInput, description: "Attach{User,Group,Role}Policy." }),
    detachPolicy: t.field({ type: PolicyRefInput, description: "Detach{User,Group,Role}Policy." }),
    putInlinePolicy: t.field({ type: InlineNameInput, description: "Put{User,Group,Role}Policy (policyDocument required)." }),
    deleteInlinePolicy: t.field({ type: InlineNameInput, description: "Delete{User,Group,Role}Policy." }),
    putPermissionsBoundary: t.field({ type: BoundaryInput, description: "Put{User,Role}PermissionsBoundary (policyArn required)." }),
    deletePermissionsBoundary: t.field({ type: BoundaryInput }),
    addUserToGroup: t.field({ type: MembershipInput }),
    removeUserFromGroup: t.field({ type: MembershipInput }),
  }),
});

type ChangeArgs = typeof ChangeInput.$inferInput;

const Noun = { user: "User", group: "Group", role: "Role" } as const;
const nameArg = { user: "userName", group: "groupName", role: "roleName" } as const;
type Holder = { entityType: keyof typeof Noun; entityName: string };

/**
 * Each change, as the mutation that would make it and that mutation's arguments: the command is
 * then made by `mutationCommands`, the one mapping every mutation uses, defaults included.
 */
const asMutation: Record<keyof ChangeArgs, (input: any) => [field: string, args: Record<string, unknown>]> = {
  createPolicyVersion: (c) => ["createPolicyVersion", c],
  setDefaultPolicyVersion: (c) => ["setDefaultPolicyVersion", c],
  attachPolicy: (c: Holder & { policyArn: string }) => [`attach${Noun[c.entityType]}Policy`, { [nameArg[c.entityType]]: c.entityName, policyArn: c.policyArn }],
  detachPolicy: (c: Holder & { policyArn: string }) => [`detach${Noun[c.entityType]}Policy`, { [nameArg[c.entityType]]: c.entityName, policyArn: c.policyArn }],
  putInlinePolicy: (c: Holder & { policyName: string; policyDocument?: string | null }) => [
    `put${Noun[c.entityType]}Policy`,
    { [nameArg[c.entityType]]: c.entityName, policyName: c.policyName, policyDocument: required(c.policyDocument, "policyDocument") },
  ],
  deleteInlinePolicy: (c: Holder & { policyName: string }) => [`delete${Noun[c.entityType]}Policy`, { [nameArg[c.entityType]]: c.entityName, policyName: c.policyName }],
  putPermissionsBoundary: (c: Holder & { policyArn?: string | null }) => [
    `put${Noun[c.entityType]}PermissionsBoundary`,
    { [nameArg[c.entityType]]: c.entityName, permissionsBoundary: required(c.policyArn, "policyArn") },
  ],
  deletePermissionsBoundary: (c: Holder) => [`delete${Noun[c.entityType]}PermissionsBoundary`, { [nameArg[c.entityType]]: c.entityName }],
  addUserToGroup: (c) => ["addUserToGroup", c],
  removeUserFromGroup: (c) => ["removeUserFromGroup", c],
};

function required(value: string | null | undefined, name: string): string {
  if (value == null) throw new DomainError("InvalidInput", `${name} is required for this change.`);
  return value;
}

/** The command a change input names; InvalidInput unless exactly one change is given. */
export function commandOf(change: ChangeArgs, caller: Caller): Command {
  const given = Object.entries(change).filter(([, v]) => v != null);
  if (given.length !== 1) throw new DomainError("InvalidInput", "Give exactly one change.");
  const [key, input] = given[0]!;
  const [field, args] = asMutation[key as keyof ChangeArgs](input);
  return mutationCommands[field]!(args, caller);
}

const FlipRef = builder.objectRef<DecisionFlip>("DecisionFlip").implement({
  description: "A principal and action whose outcome the change would flip between allowed and denied.",
  fields: (t) => ({
    principalArn: t.exposeString("principalArn"),
    principalType: t.exposeString("principalType"),
    action: t.exposeString("action"),
    resource: t.exposeString("resource"),
    before: t.field({ type: HistoricDecision, resolve: (f) => f.before }),
    after: t.field({ type: HistoricDecision, resolve: (f) => f.after }),
  }),
});

const PlannedEvent = builder.objectRef<ChangePreview["events"][number]>("PlannedEvent").implement({
  description: "An event the change would append (nothing was appended).",
  fields: (t) => ({ streamId: t.exposeString("streamId"), type: t.exposeString("type"), payload: t.field({ type: "JSON", resolve: (e) => e.data }) }),
});

// One GraphQL type for previewChange and for every mutation's dry run (`DryRunPreview`, command-field.ts).
export const ChangePreviewRef = builder.objectType(DryRunPreview, {
  name: "ChangePreview",
  description: "What a change would do, computed without applying it: nothing was appended.",
  fields: (t) => ({
    position: t.field({ type: "Position", description: "The head of the log the preview was computed against.", resolve: (d) => d.preview.position }),
    events: t.field({ type: [PlannedEvent], resolve: (d) => [...d.preview.events] }),
    principalsConsidered: t.int({ resolve: (d) => d.preview.principalsConsidered }),
    flips: t.field({ type: [FlipRef], resolve: (d) => [...d.preview.flips] }),
  }),
});

builder.queryFields((t) => ({
  previewChange: t.field({
    type: ChangePreviewRef,
    errors: { types: [DomainError] },
    description: "Dry run: every affected principal and listed action whose decision the change would flip. Appends nothing; a change the real mutation would refuse is refused with the same error.",
    args: { change: t.arg({ type: ChangeInput, required: true }), actions: t.arg.stringList({ required: true }), resource: t.arg.string({ defaultValue: "*" }) },
    // ChangePreview's class is an Error (so mutations can list it in `errors`); returned bare,
    // graphql-js would take it for a failure. Wrapped as the errors plugin wraps its own results.
    resolve: async (_root, args, ctx) =>
      wrapOrThrow(
        new DryRunPreview(await previewChange(ctx.commands, commandOf(args.change, ctx.caller), requestOf(ctx), args.actions, args.resource ?? "*")),
        [DryRunPreview],
      ) as DryRunPreview,
  }),
}));

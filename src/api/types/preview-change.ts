import type { Command } from "../../app/command.js";
import { previewChange, type ChangePreview, type DecisionFlip } from "../../app/preview-change.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { wrapOrThrow } from "@pothos/plugin-errors";
import { builder } from "../builder.js";
import { DryRunPreview } from "../command-field.js";
import { HistoricDecision } from "./time-travel.js";

// Dry run / blast radius: what a change would do to every affected principal's decisions, computed
// by the real planner and projections in a transaction that is rolled back (src/app/preview-change.ts).

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
  fields: (t) => ({ policyArn: t.string({ required: true }), policyDocument: t.string({ required: true }), setAsDefault: t.boolean({ defaultValue: false }) }),
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

/** The command a change input names; InvalidInput unless exactly one change is given. */
export function commandOf(change: ChangeArgs): Command {
  const given = Object.entries(change).filter(([, v]) => v != null);
  if (given.length !== 1) throw new DomainError("InvalidInput", "Give exactly one change.");
  const required = (value: string | null | undefined, name: string) => {
    if (value == null) throw new DomainError("InvalidInput", `${name} is required for this change.`);
    return value;
  };
  const c = change;
  if (c.createPolicyVersion) return { type: "CreatePolicyVersion", policyArn: c.createPolicyVersion.policyArn, policyDocument: c.createPolicyVersion.policyDocument, setAsDefault: c.createPolicyVersion.setAsDefault ?? false };
  if (c.setDefaultPolicyVersion) return { type: "SetDefaultPolicyVersion", ...c.setDefaultPolicyVersion };
  if (c.attachPolicy) return { type: "AttachPolicy", ...(c.attachPolicy as { entityType: "user"; entityName: string; policyArn: string }) };
  if (c.detachPolicy) return { type: "DetachPolicy", ...(c.detachPolicy as { entityType: "user"; entityName: string; policyArn: string }) };
  if (c.putInlinePolicy) {
    const p = c.putInlinePolicy as { entityType: "user"; entityName: string; policyName: string; policyDocument?: string | null };
    return { type: "PutInlinePolicy", entityType: p.entityType, entityName: p.entityName, policyName: p.policyName, policyDocument: required(p.policyDocument, "policyDocument") };
  }
  if (c.deleteInlinePolicy) {
    const p = c.deleteInlinePolicy as { entityType: "user"; entityName: string; policyName: string };
    return { type: "DeleteInlinePolicy", entityType: p.entityType, entityName: p.entityName, policyName: p.policyName };
  }
  if (c.putPermissionsBoundary) {
    const b = c.putPermissionsBoundary;
    return { type: "PutPermissionsBoundary", entityType: b.entityType, entityName: b.entityName, policyArn: required(b.policyArn, "policyArn") };
  }
  if (c.deletePermissionsBoundary) return { type: "DeletePermissionsBoundary", entityType: c.deletePermissionsBoundary.entityType, entityName: c.deletePermissionsBoundary.entityName };
  if (c.addUserToGroup) return { type: "AddUserToGroup", ...c.addUserToGroup };
  return { type: "RemoveUserFromGroup", ...c.removeUserFromGroup! };
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
        new DryRunPreview(await previewChange(ctx.prisma, ctx.accountId, commandOf(args.change), { actor: ctx.actor, requestId: ctx.requestId }, args.actions, args.resource ?? "*")),
        [DryRunPreview],
      ) as DryRunPreview,
  }),
}));

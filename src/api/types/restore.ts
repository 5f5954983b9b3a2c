import { applyRestore, planRestore, previewRestore, type RestorePlan } from "../../app/restore-principal.js";
import type { RestoreCommand, SkippedRestore } from "../../history/restore-diff.js";
import type { Point } from "../../history/load.js";
import { builder } from "../builder.js";
import { DryRunPreview, requestOf } from "../command-field.js";
import { iamErrors } from "./iam-error.js";
import { ChangePreviewRef } from "./preview-change.js";
import { AsOfInput, PointRef } from "./time-travel.js";

// restorePrincipal: the compensating commands that bring a user's or role's memberships,
// attachments, inline policies and boundary back to an earlier point (src/app/restore-principal.ts);
// a preview unless confirmed, then applied all or nothing as ordinary new events.

interface RestoreOutcome {
  readonly plan: RestorePlan;
  readonly applied: boolean;
  readonly position: number;
  readonly correlationId?: string;
  readonly preview?: DryRunPreview;
}

const CompensatingCommandRef = builder.objectRef<RestoreCommand>("CompensatingCommand").implement({
  description: "One command of a restore, named as the pipeline names it, with its arguments.",
  fields: (t) => ({
    type: t.exposeString("type", { description: "AddUserToGroup, RemoveUserFromGroup, AttachPolicy, DetachPolicy, PutInlinePolicy, DeleteInlinePolicy, PutPermissionsBoundary, DeletePermissionsBoundary." }),
    arguments: t.field({
      type: "JSON",
      resolve: ({ type: _type, ...rest }) => rest,
    }),
  }),
});

const SkippedRestoreRef = builder.objectRef<SkippedRestore>("SkippedRestore").implement({
  description: "A part of the earlier state that the restore does not bring back, and why.",
  fields: (t) => ({ change: t.exposeString("change"), subject: t.exposeString("subject"), reason: t.exposeString("reason") }),
});

const RestorePayload = builder.objectRef<RestoreOutcome>("RestorePrincipalPayload").implement({
  fields: (t) => ({
    principalArn: t.string({ resolve: (o) => o.plan.principalArn }),
    principalType: t.string({ resolve: (o) => o.plan.principalType }),
    asOf: t.field({ type: PointRef, resolve: (o): Point => o.plan.point }),
    commands: t.field({ type: [CompensatingCommandRef], description: "In the order they are (or would be) applied: removals before additions.", resolve: (o) => [...o.plan.commands] }),
    skipped: t.field({ type: [SkippedRestoreRef], resolve: (o) => [...o.plan.skipped] }),
    applied: t.exposeBoolean("applied", { description: "False for a preview: nothing was appended." }),
    position: t.expose("position", { type: "Position", description: "Applied: the position of the last event appended (the head when there was nothing to do). Preview: the head." }),
    correlationId: t.exposeString("correlationId", { nullable: true, description: "Applied: the correlation id every event of the restore records." }),
    preview: t.field({ type: ChangePreviewRef, nullable: true, description: "Without confirm: the events and the decision flips, as previewChange reports them.", resolve: (o) => o.preview ?? null }),
  }),
});

builder.mutationFields((t) => ({
  restorePrincipal: t.field({
    type: RestorePayload,
    errors: iamErrors,
    description:
      "Brings a user's or role's group memberships, attached managed policies, inline policies and permissions boundary back to their state at asOf, by new events (history is never rewritten). A preview unless confirm: true; then all the commands are applied in one transaction, or none.",
    args: {
      arn: t.arg.string({ required: true }),
      asOf: t.arg({ type: AsOfInput, required: true }),
      confirm: t.arg.boolean({ defaultValue: false }),
      previewActions: t.arg.stringList({ description: "For the preview's flips; default: the actions the principal's policies name, before or after." }),
    },
    resolve: async (_root, args, ctx): Promise<RestoreOutcome> => {
      const plan = await planRestore(ctx.prisma, args.arn, args.asOf);
      // Self-authorization: the pipeline authorizes every underlying command (iam:AttachUserPolicy,
      // iam:RemoveUserFromGroup, …) under the write lock — for the preview as for the real thing,
      // since a preview reveals what the change would do to the principal's permissions.
      if (!args.confirm) {
        const preview = await previewRestore(ctx.commands, ctx.prisma, plan, requestOf(ctx), args.previewActions ?? undefined);
        return { plan, applied: false, position: preview.position, preview: new DryRunPreview(preview) };
      }
      const result = await applyRestore(ctx.commands, ctx.prisma, plan, requestOf(ctx));
      return { plan, applied: true, position: result.position, correlationId: result.correlationId };
    },
  }),
}));

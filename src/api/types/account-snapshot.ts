import { resolvePoint } from "../../history/load.js";
import { accountAuthorizationDetailsAt } from "../../snapshot/export-details.js";
import { importAccountSnapshot, type ImportReport } from "../../snapshot/import-snapshot.js";
import type { OverQuota } from "../../snapshot/parse-snapshot.js";
import { builder } from "../builder.js";
import { DryRunPreview, requestOf } from "../command-field.js";
import { iamErrors } from "./iam-error.js";
import { ChangePreviewRef } from "./preview-change.js";
import { AsOfInput } from "./time-travel.js";

// A real AWS account's IAM state in and out (src/snapshot): importAccountSnapshot takes the JSON
// of `aws iam get-account-authorization-details` — `iamgraph import aws` sends it here when a
// server holds an embedded store — and accountSnapshot gives it back, now or at a point.

const UnknownAwsPolicyRef = builder.objectRef<{ arn: string; path: string }>("UnknownAwsManagedPolicy").implement({
  description: "An AWS-managed policy the file attaches or uses as a boundary that iamgraph does not ship; left out of the import.",
  fields: (t) => ({ arn: t.exposeString("arn"), path: t.exposeString("path", { description: "The JSON path where the file names it." }) }),
});

const OverQuotaRef = builder.objectRef<OverQuota>("SnapshotOverQuota").implement({
  description: "An element of the file past one of iamgraph's quotas (AWS's defaults): an account whose AWS quotas were raised.",
  fields: (t) => ({
    path: t.exposeString("path", { description: "The element's JSON path." }),
    quota: t.exposeString("quota", { description: "AWS's name for the quota (GetAccountSummary's SummaryMap key, e.g. AttachedPoliciesPerRoleQuota)." }),
    awsDefault: t.exposeInt("awsDefault", { description: "iamgraph's quota: AWS's default." }),
    found: t.exposeInt("found", { description: "What the element holds." }),
    raisable: t.exposeBoolean("raisable", { description: "AWS raises this quota on request; false: fixed in AWS (the file was edited, or counts differently)." }),
  }),
});

const EventCountRef = builder.objectRef<{ type: string; count: number }>("EventTypeCount").implement({
  fields: (t) => ({ type: t.exposeString("type"), count: t.exposeInt("count") }),
});

const ImportReportRef = builder.objectRef<ImportReport>("AccountSnapshotImport").implement({
  fields: (t) => ({
    accountId: t.exposeString("accountId"),
    asOf: t.expose("asOf", { type: "DateTime", description: "The snapshot's time: every event records it." }),
    actor: t.exposeString("actor", { description: "`import:<source>`, the events' actor." }),
    applied: t.exposeBoolean("applied", { description: "False for a dry run: nothing was appended." }),
    position: t.expose("position", { type: "Position" }),
    correlationId: t.exposeString("correlationId"),
    commands: t.exposeInt("commands", { description: "Commands sent (0: the store already holds the snapshot)." }),
    eventCounts: t.field({ type: [EventCountRef], resolve: (r) => Object.entries(r.eventCounts).map(([type, count]) => ({ type, count })) }),
    entitiesTouched: t.exposeStringList("entitiesTouched"),
    unknownAwsManagedPolicies: t.field({ type: [UnknownAwsPolicyRef], resolve: (r) => [...r.unknownAwsPolicies] }),
    overQuota: t.field({
      type: [OverQuotaRef],
      description: "Elements past iamgraph's quotas. With overQuota: note they are imported and each event that went past a quota says so (`quotaExceeded`).",
      resolve: (r) => [...r.overQuota],
    }),
    preview: t.field({ type: ChangePreviewRef, nullable: true, description: "Dry run: the events and the decision flips, as previewChange reports them.", resolve: (r) => (r.preview ? new DryRunPreview(r.preview) : null) }),
  }),
});

const UnknownAwsPolicies = builder.enumType("UnknownAwsManagedPolicies", { values: ["skip", "refuse"] as const });
const OverQuotaMode = builder.enumType("OverQuotaMode", {
  description: "An element past iamgraph's quotas: note = import it, the quota noted in its event; refuse = refuse the file.",
  values: ["note", "refuse"] as const,
});

builder.mutationFields((t) => ({
  importAccountSnapshot: t.field({
    type: ImportReportRef,
    errors: iamErrors,
    description:
      "Imports the JSON of `aws iam get-account-authorization-details`: appends the events that bring iamgraph to the file's state (only the differences after the first), with AWS's ids and dates, stamped with the snapshot's time, actor import:<source>, one correlation id. A bad file is refused whole (InvalidInput / MalformedPolicyDocument naming each bad element's JSON path). Elements past iamgraph's quotas (raised AWS quotas) are imported with the quota noted in their events (overQuota: note, the default) or refuse the file (refuse: LimitExceeded, each named). Each command is also authorized as the caller's own.",
    args: {
      snapshot: t.arg.string({ required: true, description: "The file's text." }),
      source: t.arg.string({ defaultValue: "api", description: "The file's name, for the actor." }),
      asOf: t.arg({ type: "DateTime", description: "The snapshot's time; default now." }),
      dryRun: t.arg.boolean({ defaultValue: false }),
      previewActions: t.arg.stringList(),
      unknownAwsManagedPolicies: t.arg({ type: UnknownAwsPolicies, defaultValue: "skip" }),
      overQuota: t.arg({ type: OverQuotaMode, defaultValue: "note" }),
    },
    resolve: (_root, args, ctx) =>
      importAccountSnapshot(
        { pipeline: ctx.commands, db: ctx.prisma, accountId: ctx.accountId },
        args.snapshot,
        {
          source: args.source ?? "api",
          ...(args.asOf ? { asOf: args.asOf as Date } : {}),
          dryRun: args.dryRun ?? false,
          unknownAwsPolicies: args.unknownAwsManagedPolicies ?? "skip",
          overQuota: args.overQuota ?? "note",
          ...(args.previewActions ? { previewActions: args.previewActions } : {}),
        },
        requestOf(ctx),
      ),
  }),
}));

builder.queryFields((t) => ({
  accountSnapshot: t.field({
    type: "JSON",
    description: "GetAccountAuthorizationDetails as the AWS CLI prints it (`iamgraph export aws`), now or at a point: the file importAccountSnapshot takes.",
    args: { asOf: t.arg({ type: AsOfInput }) },
    resolve: async (_root, args, ctx) => {
      const point = await resolvePoint(ctx.prisma, args.asOf);
      return accountAuthorizationDetailsAt(ctx.prisma, ctx.accountId, point.position);
    },
  }),
}));

import type { RebuildRun } from "../../app/projection-operations.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { ProjectionStatus, RebuildProgress } from "../../projections/rebuild.js";
import type { RebuildInfo } from "../../projections/rebuild-status.js";
import type { Context } from "../context.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";

// Operator operations over the API (src/app/projection-operations.ts): `iamgraph projections
// status | rebuild` send these to a server that holds an embedded store, since no second process
// may open it. Authorized as iamgraph:GetProjectionStatus / iamgraph:RebuildProjections on `*`.

const StagedRebuildRef = builder.objectRef<RebuildInfo>("StagedRebuild").implement({
  description: "A rebuild seen in the store: running in some process (it holds the rebuild lock), or abandoned by one that died (the next rebuild drops its staging schema).",
  fields: (t) => ({
    running: t.exposeBoolean("running"),
    phase: t.exposeString("phase"),
    done: t.exposeInt("done"),
    total: t.exposeInt("total"),
    pid: t.exposeInt("pid", { description: "The process that ran it." }),
    stagingSchema: t.exposeString("stagingSchema"),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const ProjectionStateRef = builder.objectRef<ProjectionStatus>("ProjectionState").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    version: t.exposeInt("version", { description: "1 for the tables the migrations created, +1 per completed rebuild." }),
    checkpoint: t.expose("checkpoint", { type: "Position" }),
    head: t.expose("head", { type: "Position" }),
    lag: t.exposeInt("lag"),
    rebuiltAt: t.expose("rebuiltAt", { type: "DateTime", nullable: true }),
    staged: t.field({ type: StagedRebuildRef, nullable: true, resolve: (s) => s.rebuild ?? null }),
  }),
});

const RebuildProgressRef = builder.objectRef<RebuildProgress>("RebuildProgress").implement({
  fields: (t) => ({
    phase: t.exposeString("phase", { description: "replay, write, index, catch-up, switch, done." }),
    done: t.exposeInt("done", { description: "Events folded (replay, catch-up) or rows written (write)." }),
    total: t.exposeInt("total"),
  }),
});

const RebuildRunRef = builder.objectRef<RebuildRun>("RebuildRun").implement({
  description: "A rebuild this server started: running, or how it ended.",
  fields: (t) => ({
    projections: t.stringList({ resolve: (r) => [...r.projections] }),
    requestedBy: t.exposeString("requestedBy"),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    progress: t.field({ type: RebuildProgressRef, nullable: true, resolve: (r) => r.progress ?? null }),
    events: t.int({ nullable: true, description: "Finished: events folded, replay and catch-up.", resolve: (r) => r.result?.events ?? null }),
    position: t.field({ type: "Position", nullable: true, description: "Finished: the position the new tables were caught up to when they went live.", resolve: (r) => r.result?.position ?? null }),
    error: t.exposeString("error", { nullable: true, description: "Failed: why. The live tables are then the old ones." }),
  }),
});

interface StatusReport {
  readonly projections: ProjectionStatus[];
  readonly rebuild: RebuildRun | undefined;
}

const ProjectionStatusReportRef = builder.objectRef<StatusReport>("ProjectionStatusReport").implement({
  fields: (t) => ({
    projections: t.field({ type: [ProjectionStateRef], resolve: (r) => r.projections }),
    rebuild: t.field({ type: RebuildRunRef, nullable: true, description: "The last rebuild this server started.", resolve: (r) => r.rebuild ?? null }),
  }),
});

function operationsOf(ctx: Context) {
  if (!ctx.operations) throw new DomainError("InvalidInput", "This server runs no operator operations.");
  return ctx.operations;
}

builder.queryFields((t) => ({
  projectionStatus: t.field({
    type: ProjectionStatusReportRef,
    description: "Each projection's version, checkpoint and lag, a rebuild in progress, and the last rebuild this server started (`iamgraph projections status`).",
    resolve: (_root, _args, ctx) => operationsOf(ctx).status(),
  }),
}));

builder.mutationFields((t) => ({
  rebuildProjections: t.field({
    type: RebuildRunRef,
    errors: iamErrors,
    description:
      "Starts a blue/green rebuild of the named projections (every projection with a rebuild fold when none is named) inside this server, which keeps serving; follow it with projectionStatus. InvalidInput for an unknown name, ConcurrentModification while a rebuild runs.",
    args: { projections: t.arg.stringList({ defaultValue: [] }) },
    resolve: (_root, args, ctx) => operationsOf(ctx).startRebuild(args.projections ?? [], ctx.actor),
  }),
}));

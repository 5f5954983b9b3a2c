import type { PolicyStatement } from "../../policy/document.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { loadPrincipalEvents, resolvePoint, withRoleStream, type Point } from "../../history/load.js";
import { isAssumeRoleQuestion } from "../../authz/who-can-assume.js";
import { permissionDiff, type ActionDecisionChange, type EffectiveChange } from "../../history/permission-diff.js";
import { accessTimelines, type AccessInterval } from "../../history/timeline.js";
import { concreteActions } from "../../authz/action-pattern.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { MatchedStatementAtRef, PolicySourceAtRef } from "./historic-entities.js";
import { LogEventRef } from "./history.js";
import { AsOfInput, HistoricDecision, PointRef } from "./time-travel.js";

// Causal history of a principal's permissions: what entered or left its effective set between two
// points and which event did it; the intervals during which one request was allowed. Both replay
// only the streams that matter to the principal (src/history/load.ts → timeline.ts).

const ChangeKind = builder.enumType("PermissionChangeKind", { values: ["entered", "left", "changed"] as const });

const statementJson = (s: PolicyStatement) => s as unknown;

const PermissionChangeRef = builder.objectRef<EffectiveChange>("PermissionChange").implement({
  description: "A policy that entered, left or changed text in the effective set, with the event that caused it.",
  fields: (t) => ({
    change: t.field({ type: ChangeKind, resolve: (c) => c.change }),
    path: t.exposeString("description", { description: "How the policy reaches the principal, in words (membership of group G → attachment of P…)." }),
    source: t.field({ type: PolicySourceAtRef, resolve: (c) => c.source }),
    beforeVersionId: t.string({ nullable: true, resolve: (c) => c.before?.source.versionId ?? null }),
    afterVersionId: t.string({ nullable: true, resolve: (c) => c.after?.source.versionId ?? null }),
    beforeDocument: t.string({ nullable: true, resolve: (c) => c.before?.text ?? null }),
    afterDocument: t.string({ nullable: true, resolve: (c) => c.after?.text ?? null }),
    cause: t.field({ type: LogEventRef, description: "The last event in the range that changed this path.", resolve: (c) => c.cause }),
    statementsEntered: t.field({ type: ["JSON"], resolve: (c) => c.statementsEntered.map(statementJson) }),
    statementsLeft: t.field({ type: ["JSON"], resolve: (c) => c.statementsLeft.map(statementJson) }),
  }),
});

const DecisionChangeRef = builder.objectRef<ActionDecisionChange>("PermissionDiffDecision").implement({
  fields: (t) => ({
    action: t.exposeString("action"),
    resource: t.exposeString("resource"),
    before: t.field({ type: HistoricDecision, resolve: (d) => d.before }),
    after: t.field({ type: HistoricDecision, resolve: (d) => d.after }),
    flipped: t.boolean({ resolve: (d) => (d.before === "allowed") !== (d.after === "allowed") }),
  }),
});

const PermissionDiffRef = builder.objectRef<{ from: Point; to: Point; changes: readonly EffectiveChange[]; decisions: readonly ActionDecisionChange[] }>("PermissionDiff").implement({
  fields: (t) => ({
    from: t.field({ type: PointRef, resolve: (d) => d.from }),
    to: t.field({ type: PointRef, resolve: (d) => d.to }),
    changes: t.field({ type: [PermissionChangeRef], resolve: (d) => [...d.changes] }),
    decisions: t.field({ type: [DecisionChangeRef], resolve: (d) => [...d.decisions] }),
  }),
});

const AccessIntervalRef = builder.objectRef<AccessInterval>("AccessInterval").implement({
  description: "A stretch of the log during which the request was allowed.",
  fields: (t) => ({
    action: t.exposeString("action", { description: "The concrete action: the question's, or one its wildcard (s3:Put*) stands for." }),
    openedBy: t.field({ type: LogEventRef, resolve: (i) => i.openedBy }),
    closedBy: t.field({ type: LogEventRef, nullable: true, description: "Null while the request is still allowed.", resolve: (i) => i.closedBy ?? null }),
    allowedBy: t.field({ type: [MatchedStatementAtRef], description: "The statements that allowed it when the interval opened.", resolve: (i) => [...i.allowedBy] }),
  }),
});

async function principalEvents(ctx: Context, arn: string, upTo?: number) {
  const loaded = await loadPrincipalEvents(ctx.prisma, arn, upTo);
  if (!loaded) throw new DomainError("NoSuchEntity", `No user or role ever had the ARN ${arn}.`);
  return loaded;
}

builder.queryFields((t) => ({
  permissionDiff: t.field({
    type: PermissionDiffRef,
    description: "What entered or left a user's or role's effective set between two points, each change tied to its causing event; with actions, the decision before and after each.",
    args: {
      principalArn: t.arg.string({ required: true }),
      from: t.arg({ type: AsOfInput, required: true }),
      to: t.arg({ type: AsOfInput, required: true }),
      actions: t.arg.stringList({ defaultValue: [] }),
      resource: t.arg.string({ defaultValue: "*" }),
    },
    resolve: async (_root, args, ctx) => {
      const [from, to] = await Promise.all([resolvePoint(ctx.prisma, args.from), resolvePoint(ctx.prisma, args.to)]);
      if (from.position > to.position) throw new DomainError("InvalidInput", "from must not be after to.");
      const { events, principalStreamId } = await principalEvents(ctx, args.principalArn, to.position);
      const range = { from: from.position, to: to.position, fromTime: from.time, toTime: to.time };
      return { from, to, ...permissionDiff(events, principalStreamId, ctx.accountId, range, args.actions ?? [], args.resource ?? "*") };
    },
  }),
  accessTimeline: t.field({
    type: [AccessIntervalRef],
    description:
      "The intervals during which the principal was allowed the request, with the events that opened and closed each. For `sts:AssumeRole` on a role ARN: when the principal could assume the role — the role's trust policy and the principal's identity policies together, as STS decides, changes of either opening or closing an interval. An action wildcard (s3:Put*) is answered per concrete action of the service reference (at most 1,000): intervals by action, then in order.",
    args: { principalArn: t.arg.string({ required: true }), action: t.arg.string({ required: true }), resource: t.arg.string({ defaultValue: "*" }) },
    resolve: async (_root, args, ctx) => {
      const actions = await concreteActions(args.action);
      const { events, principalStreamId } = await principalEvents(ctx, args.principalArn);
      const resource = args.resource ?? "*";
      const all = actions.some((a) => isAssumeRoleQuestion(a, resource)) ? await withRoleStream(ctx.prisma, events, resource) : events;
      return accessTimelines(all, principalStreamId, ctx.accountId, { actions, resource });
    },
  }),
}));

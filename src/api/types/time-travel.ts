import { DomainError } from "../../domain/shared/domain-error.js";
import { compileEffectiveSet, decideAt } from "../../history/decide-at.js";
import type { EffectiveEntry } from "../../history/effective-set.js";
import { resolvePoint, type Point } from "../../history/load.js";
import { awsPolicyAt, effectiveSetAt, entityAt } from "../../history/state-at.js";
import { principalsAllowedAt } from "../../history/who-could.js";
import { concreteActions } from "../../authz/action-pattern.js";
import type { AllowedPrincipal } from "../../authz/who-can.js";
import { simulationPairs } from "../../authz/simulation.js";
import { findAwsManagedPolicy, isAwsManagedPolicyArn } from "../../policy/aws-managed-policies.js";
import type { EvaluationResult } from "../../policy/evaluate.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { GroupAtRef, MatchedStatementAtRef, PolicyAtRef, PolicySourceAtRef, RoleAtRef, UserAtRef, type PolicyAt } from "./historic-entities.js";

// Point in time: `asOf(at: {position | timestamp}) { user(…) authorize(…) … }` answers every
// read from the state at that point — each entity folded from its own stream, each principal
// from its own, its groups' and its policies' streams (src/history/state-at.ts), never the whole log.

export const AsOfInput = builder.inputType("AsOfInput", {
  description: "A point of the log: a position, or a timestamp (the last position with occurredAt ≤ timestamp). Neither = now.",
  fields: (t) => ({ position: t.field({ type: "Position" }), timestamp: t.field({ type: "DateTime" }) }),
});

export const HistoricDecision = builder.enumType("HistoricDecision", { values: ["allowed", "explicitDeny", "implicitDeny"] as const });

const DecisionAtRef = builder.objectRef<EvaluationResult & { action: string; resource: string }>("HistoricAuthorization").implement({
  description: "The decision a request would have had at the point, and the statements that made it.",
  fields: (t) => ({
    action: t.exposeString("action"),
    resource: t.exposeString("resource"),
    decision: t.field({ type: HistoricDecision, resolve: (r) => r.decision }),
    reason: t.exposeString("reason"),
    matchedStatements: t.field({ type: [MatchedStatementAtRef], resolve: (r) => r.matchedStatements }),
    allowedByPermissionsBoundary: t.boolean({ nullable: true, resolve: (r) => r.boundary?.allowed ?? null }),
  }),
});

const PolicyInEffectAtRef = builder.objectRef<EffectiveEntry>("HistoricPolicyInEffect").implement({
  description: "A policy in a principal's effective set at the point, with the document in effect then.",
  fields: (t) => ({
    source: t.field({ type: PolicySourceAtRef, resolve: (e) => e.source }),
    document: t.exposeString("text"),
  }),
});

const AllowedAtRef = builder.objectRef<AllowedPrincipal>("HistoricAllowedPrincipal").implement({
  fields: (t) => ({
    principalArn: t.exposeString("principalArn"),
    principalType: t.exposeString("principalType"),
    action: t.exposeString("action", { description: "The concrete action allowed: the question's, or one its wildcard stands for." }),
    matchedStatements: t.field({ type: [MatchedStatementAtRef], resolve: (a) => [...a.matchedStatements] }),
  }),
});

export const PointRef = builder.objectRef<Point>("PointInTime").implement({
  description: "The IAM state at one point of the log.",
  fields: (t) => ({
    position: t.expose("position", { type: "Position" }),
    time: t.expose("time", { type: "DateTime", description: "The timestamp asked for, or the time of the event at the position." }),
    user: t.field({
      type: UserAtRef,
      nullable: true,
      args: { userName: t.arg.string({ required: true }) },
      resolve: (p, args, ctx) => entityAt(ctx.prisma, "user", "name", args.userName, p.position) as never,
    }),
    group: t.field({
      type: GroupAtRef,
      nullable: true,
      args: { groupName: t.arg.string({ required: true }) },
      resolve: (p, args, ctx) => entityAt(ctx.prisma, "group", "name", args.groupName, p.position) as never,
    }),
    role: t.field({
      type: RoleAtRef,
      nullable: true,
      args: { roleName: t.arg.string({ required: true }) },
      resolve: (p, args, ctx) => entityAt(ctx.prisma, "role", "name", args.roleName, p.position) as never,
    }),
    policy: t.field({
      type: PolicyAtRef,
      nullable: true,
      args: { arn: t.arg.string({ required: true }) },
      resolve: async (p, args, ctx): Promise<PolicyAt | null> => {
        const inLog = (
          isAwsManagedPolicyArn(args.arn) ? await awsPolicyAt(ctx.prisma, args.arn, p) : await entityAt(ctx.prisma, "policy", "arn", args.arn, p.position)
        ) as PolicyAt | undefined;
        if (inLog) return inLog;
        // The builtin AWS catalogue lives beside the log (the full one is in it).
        const aws = findAwsManagedPolicy(args.arn);
        return aws ? { awsManaged: aws } : null;
      },
    }),
    effectivePolicies: t.field({
      type: [PolicyInEffectAtRef],
      description: "The user's or role's policies in effect at the point, with provenance.",
      args: { principalArn: t.arg.string({ required: true }) },
      resolve: async (p, args, ctx) => [...(await principalAt(ctx, args.principalArn, p)).entries],
    }),
    authorize: t.field({
      type: DecisionAtRef,
      description: "Whether the principal could have done the action on the resource at the point.",
      args: { principalArn: t.arg.string({ required: true }), action: t.arg.string({ required: true }), resource: t.arg.string({ defaultValue: "*" }) },
      resolve: async (p, args, ctx) => {
        const set = await principalAt(ctx, args.principalArn, p);
        const resource = args.resource ?? "*";
        return { ...decideAt(set, { action: args.action, resource }, p.time), action: args.action, resource };
      },
    }),
    simulatePrincipalPolicy: t.field({
      type: [DecisionAtRef],
      description: "SimulatePrincipalPolicy against the principal's policies at the point: every action × resource.",
      args: { policySourceArn: t.arg.string({ required: true }), actionNames: t.arg.stringList({ required: true }), resourceArns: t.arg.stringList() },
      resolve: async (p, args, ctx) => {
        const pairs = simulationPairs({ actionNames: args.actionNames, resourceArns: args.resourceArns ?? [] });
        const set = await principalAt(ctx, args.policySourceArn, p);
        const compiled = compileEffectiveSet(set);
        return pairs.map(([action, resource]) => ({ ...decideAt(set, { action, resource }, p.time, compiled), action, resource }));
      },
    }),
    principalsAllowed: t.field({
      type: [AllowedAtRef],
      description: "Who could: every user and role allowed the request at the point. Folds the whole log up to the point.",
      args: { action: t.arg.string({ required: true }), resource: t.arg.string({ defaultValue: "*" }) },
      resolve: async (p, args, ctx) => principalsAllowedAt(ctx.prisma, ctx.accountId, p, { actions: await concreteActions(args.action), resource: args.resource ?? "*" }),
    }),
  }),
});

async function principalAt(ctx: Context, arn: string, p: Point) {
  const set = await effectiveSetAt(ctx.prisma, arn, p, ctx.accountId);
  if (!set) throw new DomainError("NoSuchEntity", `The principal ${arn} did not exist at position ${p.position}.`);
  return set;
}

builder.queryFields((t) => ({
  asOf: t.field({
    type: PointRef,
    description: "Reads as of a past point of the log: `asOf(at: {position: 42}) { user(userName: \"alice\") { … } authorize(…) { decision } }`.",
    args: { at: t.arg({ type: AsOfInput, required: true }) },
    resolve: (_root, args, ctx) => resolvePoint(ctx.prisma, args.at),
  }),
}));

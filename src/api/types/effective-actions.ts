import { effectiveActionsOf } from "../../authz/effective-actions.js";
import { serviceReference } from "../../catalogue/service-reference.js";
import type { ConditionClause } from "../../policy/document.js";
import type { Denial, EffectiveAction, EffectiveActions, EffectiveGrant, EffectiveStatement } from "../../policy/effective-actions.js";
import type { AccessLevelSummary, ServiceSummary } from "../../policy/effective-actions-summary.js";
import type { AccessLevel } from "../../policy/service-reference.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { MatchedStatementRef } from "./evaluation.js";
import { RoleRef } from "./role.js";
import { UserRef } from "./user.js";

// User.effectiveActions / Role.effectiveActions: every concrete action the principal may perform
// (src/policy/effective-actions.ts), with the statements that grant it and what limits them.

export const AccessLevelEnum = builder.enumType("AccessLevel", {
  description: "AWS's access levels (service authorization reference).",
  values: {
    LIST: { value: "List" },
    READ: { value: "Read" },
    WRITE: { value: "Write" },
    PERMISSIONS_MANAGEMENT: { value: "Permissions management" },
    TAGGING: { value: "Tagging" },
  } as const,
});

const ConditionClauseRef = builder.objectRef<ConditionClause>("PolicyConditionClause").implement({
  description: "One `Operator: { Key: values }` clause of a statement's Condition, as written.",
  fields: (t) => ({ operator: t.exposeString("operator"), key: t.exposeString("key"), values: t.exposeStringList("values") }),
});

const conditionText = (conditions: readonly ConditionClause[]) => conditions.map((c) => `${c.operator} ${c.key} ${JSON.stringify(c.values)}`).join(" and ");

const EffectiveStatementRef = builder.interfaceRef<EffectiveStatement>("EffectiveStatement").implement({
  description: "A statement as it bears on a principal's actions.",
  fields: (t) => ({
    statement: t.field({
      type: MatchedStatementRef,
      description: "The statement with its provenance; `conditions` traces those decided from the principal (its name, tags…).",
      resolve: (s) => s.statement,
    }),
    resources: t.stringList({ description: "Its Resource (or NotResource) patterns, policy variables substituted for this principal.", resolve: (s) => [...s.resources.patterns] }),
    notResource: t.boolean({ description: "The patterns are a NotResource: every resource except those.", resolve: (s) => s.resources.not }),
    conditions: t.field({ type: [ConditionClauseRef], description: "Conditions only a request can decide; all must hold.", resolve: (s) => [...s.conditions] }),
  }),
});

const BoundaryStatementRef = builder.objectRef<EffectiveStatement>("EffectiveBoundaryStatement").implement({
  description: "A permissions-boundary Allow a grant is confined to.",
  interfaces: [EffectiveStatementRef],
  isTypeOf: () => true,
  fields: () => ({}),
});

const DenialScope = builder.enumType("DenialScope", {
  values: { ALL_RESOURCES: { value: "all" }, SOME_RESOURCES: { value: "some" } } as const,
});

const DenialRef = builder.objectRef<Denial>("EffectiveDenial").implement({
  description: "A Deny that cuts a grant only under conditions, or only on part of its resources.",
  interfaces: [EffectiveStatementRef],
  isTypeOf: () => true,
  fields: (t) => ({
    scope: t.field({ type: DenialScope, resolve: (d) => d.scope }),
    description: t.string({
      resolve: (d) =>
        `denied ${d.scope === "all" ? "" : `on ${d.resources.not ? "all but " : ""}${d.resources.patterns.join(", ")} `}${d.conditions.length === 0 ? "always" : `when ${conditionText(d.conditions)}`}`.trim(),
    }),
  }),
});

const GrantRef = builder.objectRef<EffectiveGrant>("EffectiveGrant").implement({
  description: "An identity-policy Allow that grants the action, with the denies and boundary that limit it.",
  interfaces: [EffectiveStatementRef],
  isTypeOf: () => true,
  fields: (t) => ({
    boundary: t.field({
      type: [BoundaryStatementRef],
      description: "Empty without a boundary or when one allows all of it unconditionally; else the boundary Allows it is confined to (any of them).",
      resolve: (g) => [...g.boundary],
    }),
    denials: t.field({ type: [DenialRef], resolve: (g) => [...g.denials] }),
    unconditional: t.exposeBoolean("unconditional", { description: "No condition, boundary confinement or denial: allowed on all its resources." }),
  }),
});

const ResourceTypeRef = builder.objectRef<{ name: string; arnFormats: readonly string[]; required: boolean }>("ActionResourceType").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    arnFormats: t.stringList({ resolve: (r) => [...r.arnFormats] }),
    required: t.exposeBoolean("required", { description: "AWS's `*`: the action is always on a resource of this type." }),
  }),
});

const EffectiveActionRef = builder.objectRef<EffectiveAction>("EffectiveAction").implement({
  fields: (t) => ({
    action: t.exposeString("action", { description: "As AWS spells it (s3:GetObject)." }),
    service: t.exposeString("service"),
    accessLevel: t.field({ type: AccessLevelEnum, resolve: (a) => a.accessLevel }),
    unconditional: t.exposeBoolean("unconditional", { description: "Some grant allows it without condition, confinement or denial." }),
    grants: t.field({ type: [GrantRef], resolve: (a) => [...a.grants] }),
    resourceTypes: t.field({
      type: [ResourceTypeRef],
      description: "The resource types the action applies to (none: it supports only `*`).",
      resolve: async (a) => {
        const reference = await serviceReference();
        const service = reference.services.get(a.service);
        const definition = service?.actions.get(a.action.slice(a.service.length + 1).toLowerCase());
        return (definition?.resourceTypes ?? []).map((rt) => ({ name: rt.name, required: rt.required, arnFormats: service?.resourceTypes.get(rt.name.toLowerCase())?.arnFormats ?? [] }));
      },
    }),
  }),
});

const LevelSummaryRef = builder.objectRef<AccessLevelSummary>("AccessLevelSummary").implement({
  fields: (t) => ({
    accessLevel: t.field({ type: AccessLevelEnum, resolve: (l) => l.accessLevel }),
    allowed: t.exposeInt("allowed"),
    unconditional: t.exposeInt("unconditional"),
    total: t.exposeInt("total", { description: "Actions of this level the service has." }),
  }),
});

const ServiceSummaryRef = builder.objectRef<ServiceSummary>("ServiceAccessSummary").implement({
  fields: (t) => ({
    service: t.exposeString("service"),
    serviceName: t.exposeString("serviceName"),
    levels: t.field({ type: [LevelSummaryRef], resolve: (s) => [...s.levels] }),
  }),
});

const EffectiveActionsRef = builder.objectRef<EffectiveActions>("EffectiveActions").implement({
  description: "Every concrete action a principal may perform, and a per-service summary by access level.",
  fields: (t) => ({
    actions: t.field({ type: [EffectiveActionRef], resolve: (e) => [...e.actions] }),
    summary: t.field({ type: [ServiceSummaryRef], resolve: (e) => [...e.summary] }),
  }),
});

const description =
  "Every concrete action of AWS's service authorization reference the principal may perform — wildcards and NotAction expanded, " +
  "explicit denies and the permissions boundary applied as the evaluator applies them — with the resources, the conditions a request must meet, " +
  "and the granting statements with their provenance. A deny that depends on the request is reported (`denials`), not guessed.";

function resolveFor(ctx: Context, arn: string, args: { service?: string[] | null; accessLevel?: AccessLevel[] | null; resource?: string | null }) {
  return serviceReference().then((reference) =>
    effectiveActionsOf(ctx.authorizer.compiledPolicies, reference, arn, {
      ...(args.service ? { services: args.service } : {}),
      ...(args.accessLevel ? { accessLevels: args.accessLevel } : {}),
      ...(args.resource ? { resource: args.resource } : {}),
    }),
  );
}

for (const ref of [UserRef, RoleRef] as const) {
  builder.prismaObjectField(ref as typeof UserRef, "effectiveActions", (t) =>
    t.field({
      type: EffectiveActionsRef,
      description,
      args: {
        service: t.arg.stringList({ description: "Only these service prefixes (s3, iam)." }),
        accessLevel: t.arg({ type: [AccessLevelEnum], description: "Only actions of these access levels." }),
        resource: t.arg.string({ description: "Only grants that can apply to this resource ARN (or pattern); denies and the boundary are judged on it." }),
      },
      resolve: (principal, args, ctx) => resolveFor(ctx, principal.arn, args),
    }),
  );
}

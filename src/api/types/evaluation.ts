import type { AllowedPrincipal } from "../../authz/who-can.js";
import type { SimulationResult } from "../../authz/simulation.js";
import type { PolicySource } from "../../policy/document.js";
import type { ConditionTrace, EvaluationResult, MatchedStatement } from "../../policy/evaluate.js";
import type { ContextEntry, ContextKeyType } from "../../policy/request.js";
import type { TrustMatch } from "../../policy/trust-policy.js";
import { serviceReference } from "../../catalogue/service-reference.js";
import { validatePolicy, type Finding } from "../../policy/validate-policy.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";
import type { EffectivePolicyRow } from "../policy-loaders.js";
import { authorizeAtPoint, simulatePrincipalPolicyAsOf } from "../../history/as-of-evaluation.js";
import { decisionPrincipal } from "../authorization/authorize-checks.js";
import { resolvePoint } from "../../history/load.js";
import { principalsAllowedAt } from "../../history/who-could.js";
import { concreteActions } from "../../authz/action-pattern.js";
import { AsOfInput } from "./time-travel.js";
import { RoleRef } from "./role.js";
import { UserRef } from "./user.js";

// Answers about permissions: what is in effect for a principal (the EffectivePolicy projection),
// what a request would be decided (simulation, authorize), who may do something, and whether a
// document is sound. Every decision explains itself with the statements and their provenance.

const errors = iamErrors;

const HolderType = builder.enumType("PolicyHolderType", { values: ["user", "group", "role"] as const });
const PrincipalType = builder.enumType("PrincipalType", { values: ["user", "role"] as const });
const PolicySourceKind = builder.enumType("PolicySourceKind", {
  description: "How a policy reaches a principal: attached managed policy, inline policy, or permissions boundary.",
  values: ["managed", "inline", "boundary"] as const,
});
const PolicyRole = builder.enumType("PolicyRole", {
  description: "`identity`: a permissions policy; `boundary`: the permissions boundary.",
  values: ["identity", "boundary"] as const,
});
const Effect = builder.enumType("Effect", { values: ["Allow", "Deny"] as const });
const EvalDecision = builder.enumType("PolicyEvaluationDecision", {
  description: "AWS's PolicyEvaluationDecisionType.",
  values: ["allowed", "explicitDeny", "implicitDeny"] as const,
});
const ContextKeyTypeEnum = builder.enumType("ContextKeyType", {
  values: ["string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"] as const,
});

const NamedEntity = builder.objectRef<{ type: "user" | "group" | "role"; name: string; arn: string }>("PolicyHolder").implement({
  description: "The user, group or role a policy is attached to or embedded in.",
  fields: (t) => ({ type: t.field({ type: HolderType, resolve: (e) => e.type }), name: t.exposeString("name"), arn: t.exposeString("arn") }),
});
const ViaGroup = builder.objectRef<{ groupName: string; arn: string }>("ViaGroup").implement({
  description: "The group through which a user holds a policy.",
  fields: (t) => ({ groupName: t.exposeString("groupName"), arn: t.exposeString("arn") }),
});

// ── What is in effect ──────────────────────────────────────────────────────────────────────────

type EffectivePolicyView = EffectivePolicyRow & { holder: { type: "user" | "role"; name: string; arn: string } };

const EffectivePolicyRef = builder.objectRef<EffectivePolicyView>("EffectivePolicy").implement({
  description: "A policy in effect for a user or role, with the path it comes by and since when.",
  fields: (t) => ({
    kind: t.field({ type: PolicySourceKind, resolve: (p) => p.kind as "managed" | "inline" | "boundary" }),
    policyName: t.exposeString("policyName"),
    policyArn: t.exposeString("policyArn", { nullable: true, description: "Managed policies and boundaries; null for inline policies." }),
    versionId: t.exposeString("versionId", { nullable: true, description: "The default version, in effect now (managed policies and boundaries)." }),
    viaGroup: t.field({ type: ViaGroup, nullable: true, resolve: (p) => p.viaGroup }),
    attachedTo: t.field({
      type: NamedEntity,
      description: "The group it comes through, else the principal itself.",
      resolve: (p) => (p.viaGroup ? { type: "group" as const, name: p.viaGroup.groupName, arn: p.viaGroup.arn } : p.holder),
    }),
    since: t.expose("since", { type: "DateTime", description: "When this path started granting the policy." }),
    sincePosition: t.field({ type: "Position", description: "The log position of that change.", resolve: (p) => Number(p.sincePosition) }),
  }),
});

builder.prismaObjectField(UserRef, "effectivePolicies", (t) =>
  t.field({
    type: [EffectivePolicyRef],
    description: "Every policy in effect for the user: its own, its groups' (with the group), and its boundary.",
    resolve: async (user, _args, ctx) =>
      (await ctx.loaders.policies.effectivePolicies.load(user.id)).map((row) => ({ ...row, holder: { type: "user" as const, name: user.userName, arn: user.arn } })),
  }),
);
builder.prismaObjectField(RoleRef, "effectivePolicies", (t) =>
  t.field({
    type: [EffectivePolicyRef],
    description: "Every policy in effect for the role, and its boundary.",
    resolve: async (role, _args, ctx) =>
      (await ctx.loaders.policies.effectivePolicies.load(role.id)).map((row) => ({ ...row, holder: { type: "role" as const, name: role.roleName, arn: role.arn } })),
  }),
);

// ── Decisions and their explanation ───────────────────────────────────────────────────────────

const Provenance = builder.objectRef<PolicySource>("PolicyProvenance").implement({
  description: "Where the policy holding a matched statement comes from.",
  fields: (t) => ({
    kind: t.field({ type: PolicySourceKind, resolve: (s) => (s.role === "boundary" ? "boundary" : s.kind) }),
    policyName: t.exposeString("policyName", { description: "Inline and given policies: their name (`PolicyInputList.1` for simulation input)." }),
    policyArn: t.exposeString("policyArn", { nullable: true }),
    versionId: t.exposeString("versionId", { nullable: true, description: "Managed policies: the version in effect." }),
    attachedTo: t.field({ type: NamedEntity, resolve: (s) => s.attachedTo }),
    viaGroup: t.field({ type: ViaGroup, nullable: true, resolve: (s) => (s.viaGroup ? { groupName: s.viaGroup.name, arn: s.viaGroup.arn } : null) }),
    role: t.field({ type: PolicyRole, resolve: (s) => s.role }),
  }),
});

const ConditionTraceRef = builder.objectRef<ConditionTrace>("ConditionTrace").implement({
  description: "One condition clause of a matched statement, as evaluated.",
  fields: (t) => ({
    operator: t.exposeString("operator"),
    key: t.exposeString("key"),
    policyValues: t.exposeStringList("policyValues", { description: "After policy-variable substitution." }),
    contextValues: t.exposeStringList("contextValues", { nullable: true, description: "Null when the request has no such key." }),
    matched: t.exposeBoolean("matched"),
  }),
});

/** AWS's SourcePolicyType: the holder for inline policies, aws-managed / user-managed for managed ones, none for given input. */
function sourcePolicyType(source: PolicySource): string {
  if (source.policyArn) return source.policyArn.startsWith("arn:aws:iam::aws:policy") ? "aws-managed" : "user-managed";
  if (/^(PolicyInputList|PermissionsBoundaryPolicyInputList)\.\d+$/.test(source.policyName)) return "none";
  return source.attachedTo.type;
}

export const MatchedStatementRef = builder.objectRef<MatchedStatement>("MatchedStatement").implement({
  description: "A statement that decided the request (AWS's Statement), with its provenance and condition trace.",
  fields: (t) => ({
    sourcePolicyId: t.string({ description: "The managed policy's ARN, or the inline policy's name.", resolve: (m) => m.source.policyArn ?? m.source.policyName }),
    sourcePolicyType: t.string({
      description: "As AWS reports it: user | group | role (inline), aws-managed | user-managed (managed), none (simulation input).",
      resolve: (m) => sourcePolicyType(m.source),
    }),
    statementIndex: t.exposeInt("statementIndex", { description: "0-based position in the document's Statement list." }),
    sid: t.exposeString("sid", { nullable: true }),
    effect: t.field({ type: Effect, resolve: (m) => m.effect }),
    provenance: t.field({ type: Provenance, resolve: (m) => m.source }),
    conditions: t.field({ type: [ConditionTraceRef], resolve: (m) => m.conditions }),
  }),
});

const BoundaryDetail = builder
  .objectRef<{ allowedByPermissionsBoundary: boolean; matchedStatements: readonly MatchedStatement[] }>("PermissionsBoundaryDecisionDetail")
  .implement({
    description: "Present when a permissions boundary took part: whether it allowed the request, and its statements that decided.",
    fields: (t) => ({
      allowedByPermissionsBoundary: t.exposeBoolean("allowedByPermissionsBoundary"),
      matchedStatements: t.field({ type: [MatchedStatementRef], resolve: (d) => d.matchedStatements }),
    }),
  });

const EvaluationResultRef = builder.objectRef<SimulationResult>("EvaluationResult").implement({
  description: "One action × resource of a simulation (AWS's EvaluationResult).",
  fields: (t) => ({
    evalActionName: t.exposeString("evalActionName"),
    evalResourceName: t.exposeString("evalResourceName"),
    evalDecision: t.field({ type: EvalDecision, resolve: (r) => r.evalDecision }),
    matchedStatements: t.field({ type: [MatchedStatementRef], resolve: (r) => r.matchedStatements }),
    missingContextValues: t.exposeStringList("missingContextValues"),
    permissionsBoundaryDecisionDetail: t.field({ type: BoundaryDetail, nullable: true, resolve: (r) => r.permissionsBoundaryDecisionDetail ?? null }),
    reason: t.exposeString("reason", { description: "Which evaluation rule decided, e.g. `boundary does not allow`." }),
  }),
});

const SimulatePolicyResponse = builder.objectRef<{ evaluationResults: SimulationResult[] }>("SimulatePolicyResponse").implement({
  fields: (t) => ({ evaluationResults: t.field({ type: [EvaluationResultRef], resolve: (r) => r.evaluationResults }) }),
});

const ContextEntryInput = builder.inputType("ContextEntryInput", {
  description: "A request-context key and its values (AWS's ContextEntry).",
  fields: (t) => ({
    contextKeyName: t.string({ required: true }),
    contextKeyValues: t.stringList({ required: true }),
    contextKeyType: t.field({ type: ContextKeyTypeEnum, required: true }),
  }),
});

type ContextEntryArg = { contextKeyName: string; contextKeyValues: string[]; contextKeyType: ContextKeyType };
const toContext = (entries: readonly ContextEntryArg[] | null | undefined): ContextEntry[] =>
  (entries ?? []).map((e) => ({ key: e.contextKeyName, type: e.contextKeyType, values: e.contextKeyValues }));

const AuthorizationDecision = builder.objectRef<EvaluationResult>("AuthorizationDecision").implement({
  description: "May this principal do this action on this resource, and why.",
  fields: (t) => ({
    decision: t.field({ type: EvalDecision, resolve: (r) => r.decision }),
    reason: t.exposeString("reason"),
    matchedStatements: t.field({ type: [MatchedStatementRef], resolve: (r) => r.matchedStatements }),
    missingContextValues: t.exposeStringList("missingContextValues"),
    permissionsBoundaryDecisionDetail: t.field({
      type: BoundaryDetail,
      nullable: true,
      resolve: (r) => (r.boundary ? { allowedByPermissionsBoundary: r.boundary.allowed, matchedStatements: r.boundary.matchedStatements } : null),
    }),
  }),
});

const TrustStatementRef = builder.objectRef<TrustMatch>("TrustStatementMatch").implement({
  description: "A statement of a role's trust policy that admits a principal, and how its Principal element names it.",
  fields: (t) => ({
    statementIndex: t.exposeInt("statementIndex"),
    sid: t.string({ nullable: true, resolve: (m) => m.sid ?? null }),
    principalMatch: t.string({
      description: "`principal` (named by its own ARN: no identity policy needed in the role's account), `account` or `wildcard` (the identity policies must allow sts:AssumeRole too).",
      resolve: (m) => m.principalMatch,
    }),
  }),
});

const AllowedPrincipalRef = builder.objectRef<AllowedPrincipal>("AllowedPrincipal").implement({
  fields: (t) => ({
    principalArn: t.exposeString("principalArn"),
    principalType: t.field({ type: PrincipalType, resolve: (p) => p.principalType }),
    action: t.exposeString("action", { description: "The concrete action allowed: the question's, or one its wildcard (s3:Put*) stands for." }),
    matchedStatements: t.field({ type: [MatchedStatementRef], resolve: (p) => p.matchedStatements }),
    trustStatements: t.field({
      type: [TrustStatementRef],
      nullable: true,
      description: "For sts:AssumeRole on a role: the trust-policy statements that admit the principal (a role here stands for its sessions: role chaining). Null for other actions.",
      resolve: (p) => (p.trustStatements ? [...p.trustStatements] : null),
    }),
  }),
});

// ── Access Analyzer ValidatePolicy ─────────────────────────────────────────────────────────────

const FindingTypeEnum = builder.enumType("ValidatePolicyFindingType", { values: ["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"] as const });
const PolicyTypeEnum = builder.enumType("ValidatePolicyType", {
  description: "IDENTITY_POLICY: a permissions policy or boundary; TRUST_POLICY: a role's trust policy.",
  values: ["IDENTITY_POLICY", "TRUST_POLICY"] as const,
});
type Pos = { line: number; column: number; offset: number };
const PositionRef = builder.objectRef<Pos>("DocumentPosition").implement({
  description: "Line from 1; column and offset from 0.",
  fields: (t) => ({ line: t.exposeInt("line"), column: t.exposeInt("column"), offset: t.exposeInt("offset") }),
});
const SpanRef = builder.objectRef<{ start: Pos; end: Pos }>("DocumentSpan").implement({
  fields: (t) => ({ start: t.field({ type: PositionRef, resolve: (s) => s.start }), end: t.field({ type: PositionRef, resolve: (s) => s.end }) }),
});
const LocationRef = builder.objectRef<Finding["locations"][number]>("FindingLocation").implement({
  fields: (t) => ({
    path: t.field({
      type: ["String"],
      description: "JSON path into the document; array indexes as their decimal text.",
      resolve: (l) => l.path.map(String),
    }),
    span: t.field({ type: SpanRef, nullable: true, resolve: (l) => l.span ?? null }),
  }),
});
const FindingRef = builder.objectRef<Finding>("ValidatePolicyFinding").implement({
  fields: (t) => ({
    findingType: t.field({ type: FindingTypeEnum, resolve: (f) => f.findingType }),
    issueCode: t.exposeString("issueCode"),
    findingDetails: t.exposeString("message"),
    locations: t.field({ type: [LocationRef], resolve: (f) => [...f.locations] }),
  }),
});

// ── Fields ─────────────────────────────────────────────────────────────────────────────────────

builder.queryFields((t) => ({
  simulatePrincipalPolicy: t.field({
    type: SimulatePolicyResponse,
    errors,
    description:
      "SimulatePrincipalPolicy: each action × resource against the user's or role's policies in effect (plus policyInputList); permissionsBoundaryPolicyInputList replaces its boundary.",
    args: {
      policySourceArn: t.arg.string({ required: true }),
      actionNames: t.arg.stringList({ required: true }),
      resourceArns: t.arg.stringList(),
      contextEntries: t.arg({ type: [ContextEntryInput] }),
      policyInputList: t.arg.stringList(),
      permissionsBoundaryPolicyInputList: t.arg.stringList(),
      asOf: t.arg({ type: AsOfInput, description: "Simulate against the principal's policies as they were at this point of the log." }),
    },
    resolve: async (_root, args, ctx) => {
      const input = {
        policySourceArn: args.policySourceArn,
        actionNames: args.actionNames,
        ...(args.resourceArns ? { resourceArns: args.resourceArns } : {}),
        contextEntries: toContext(args.contextEntries),
        policyInputList: args.policyInputList ?? [],
        ...(args.permissionsBoundaryPolicyInputList ? { permissionsBoundaryPolicyInputList: args.permissionsBoundaryPolicyInputList } : {}),
      };
      return {
        evaluationResults: args.asOf
          ? await simulatePrincipalPolicyAsOf(ctx.prisma, ctx.accountId, args.asOf, input)
          : await ctx.authorizer.simulatePrincipalPolicy(input),
      };
    },
  }),
  simulateCustomPolicy: t.field({
    type: SimulatePolicyResponse,
    errors,
    description: "SimulateCustomPolicy: only the given documents, no principal.",
    args: {
      policyInputList: t.arg.stringList({ required: true }),
      permissionsBoundaryPolicyInputList: t.arg.stringList(),
      actionNames: t.arg.stringList({ required: true }),
      resourceArns: t.arg.stringList(),
      contextEntries: t.arg({ type: [ContextEntryInput] }),
    },
    resolve: (_root, args, ctx) => ({
      evaluationResults: ctx.authorizer.simulateCustomPolicy({
        policyInputList: args.policyInputList,
        actionNames: args.actionNames,
        ...(args.resourceArns ? { resourceArns: args.resourceArns } : {}),
        contextEntries: toContext(args.contextEntries),
        ...(args.permissionsBoundaryPolicyInputList ? { permissionsBoundaryPolicyInputList: args.permissionsBoundaryPolicyInputList } : {}),
      }),
    }),
  }),
  authorize: t.field({
    type: AuthorizationDecision,
    errors,
    description:
      "One authorization decision. Every `authorize` field of a request is decided in one batch. `principalArn` may be a user, a role, or a role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`: decided as the newest session of that ARN valid then — the role's policies within its session policies, its session tags; denied once expired).",
    args: {
      principalArn: t.arg.string({ required: true }),
      action: t.arg.string({ required: true }),
      resource: t.arg.string({ required: true }),
      context: t.arg({ type: [ContextEntryInput] }),
      asOf: t.arg({ type: AsOfInput, description: "Decide as of this point of the log (the principal's policies then, aws:CurrentTime then)." }),
    },
    resolve: async (_root, args, ctx) => {
      const ask = { action: args.action, resource: args.resource, context: toContext(args.context) };
      if (!args.asOf) return ctx.loaders.authorize.load({ ...(await decisionPrincipal(ctx, args.principalArn)), ...ask });
      const point = await resolvePoint(ctx.prisma, args.asOf);
      return authorizeAtPoint(ctx.prisma, ctx.accountId, point, { ...(await decisionPrincipal(ctx, args.principalArn, point.time)), ...ask });
    },
  }),
  principalsAllowed: t.field({
    type: [AllowedPrincipalRef],
    description:
      "Who can: every user and role allowed this action on this resource, with the statements that allow it. An action wildcard (s3:Put*) is answered per concrete action of the service reference (at most 1,000), by action then principal. For `sts:AssumeRole` on a role ARN, who could act as the role: the role's trust policy applied as STS applies it (the principals it names itself, or whose identity policies allow when it names their account or `*`), with `trustStatements`.",
    args: {
      action: t.arg.string({ required: true }),
      resource: t.arg.string({ required: true }),
      context: t.arg({ type: [ContextEntryInput] }),
      asOf: t.arg({ type: AsOfInput, description: "Who could, at this point of the log (folds the log up to the point)." }),
    },
    resolve: async (_root, args, ctx) => {
      if (!args.asOf) return ctx.whoCan.principalsAllowed(args.action, args.resource, toContext(args.context));
      const point = await resolvePoint(ctx.prisma, args.asOf);
      return principalsAllowedAt(ctx.prisma, ctx.accountId, point, { actions: await concreteActions(args.action), resource: args.resource, context: toContext(args.context) });
    },
  }),
  validatePolicy: t.field({
    type: [FindingRef],
    description: "Access Analyzer ValidatePolicy: every finding in the document, errors first; empty when the document is clean.",
    args: { policyDocument: t.arg.string({ required: true }), policyType: t.arg({ type: PolicyTypeEnum, defaultValue: "IDENTITY_POLICY" }) },
    resolve: async (_root, args) =>
      validatePolicy(args.policyDocument, { kind: args.policyType === "TRUST_POLICY" ? "trust" : "identity", reference: await serviceReference() }),
  }),
}));

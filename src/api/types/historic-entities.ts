import type { GroupState } from "../../domain/groups/state.js";
import type { PermissionsState } from "../../domain/permissions/state.js";
import type { PolicyState } from "../../domain/policies/state.js";
import type { RoleState } from "../../domain/roles/state.js";
import type { Tag } from "../../domain/shared/tags.js";
import type { UserState } from "../../domain/users/state.js";
import type { StateAt } from "../../history/state-at.js";
import type { PolicySource } from "../../policy/document.js";
import type { MatchedStatement } from "../../policy/evaluate.js";
import { builder } from "../builder.js";

// Entities as they were at a point of the log, folded from their own streams (src/history/state-at.ts).
// Separate types from User/Group/Role/Policy because those are rows of the current read models.

type Active<S> = Extract<S, { status: "active" }>;
export type At<S> = StateAt<Active<S>>;

const TagAt = builder.objectRef<Tag>("HistoricTag").implement({
  fields: (t) => ({ key: t.exposeString("key"), value: t.exposeString("value") }),
});

const AttachedAt = builder.objectRef<PermissionsState["attached"][number]>("HistoricAttachedPolicy").implement({
  fields: (t) => ({ policyArn: t.exposeString("policyArn"), policyName: t.exposeString("policyName") }),
});

const InlineAt = builder.objectRef<{ policyName: string; document: string }>("HistoricInlinePolicy").implement({
  fields: (t) => ({ policyName: t.exposeString("policyName"), policyDocument: t.exposeString("document") }),
});

const MembershipAt = builder.objectRef<{ groupId: string; groupName: string }>("HistoricMembership").implement({
  fields: (t) => ({ groupId: t.exposeString("groupId"), groupName: t.exposeString("groupName", { description: "The name the group had when the user joined." }) }),
});

const inline = (p: PermissionsState) => [...p.inline].map(([policyName, document]) => ({ policyName, document }));

/** Where a snapshot comes from in the log: the stream and its last event at or before the point. */
const StreamAt = builder.objectRef<At<unknown>>("HistoricStream").implement({
  fields: (t) => ({
    streamId: t.exposeString("streamId"),
    streamVersion: t.exposeInt("version"),
    lastChangedAt: t.field({ type: "Position", description: "Position of the entity's last event at or before the point.", resolve: (s) => s.lastPosition }),
  }),
});

export const UserAtRef = builder.objectRef<At<UserState>>("HistoricUser").implement({
  description: "A user as it was at a point of the log.",
  fields: (t) => ({
    stream: t.field({ type: StreamAt, resolve: (x) => x as At<unknown> }),
    userId: t.string({ resolve: (u) => u.state.userId }),
    userName: t.string({ resolve: (u) => u.state.userName }),
    path: t.string({ resolve: (u) => u.state.path }),
    arn: t.string({ resolve: (u) => u.state.arn }),
    tags: t.field({ type: [TagAt], resolve: (u) => [...u.state.tags] }),
    groups: t.field({ type: [MembershipAt], resolve: (u) => [...u.state.groups] }),
    attachedPolicies: t.field({ type: [AttachedAt], resolve: (u) => [...u.state.permissions.attached] }),
    inlinePolicies: t.field({ type: [InlineAt], resolve: (u) => inline(u.state.permissions) }),
    permissionsBoundaryArn: t.string({ nullable: true, resolve: (u) => u.state.permissions.boundaryArn ?? null }),
  }),
});

export const GroupAtRef = builder.objectRef<At<GroupState>>("HistoricGroup").implement({
  description: "A group as it was at a point of the log.",
  fields: (t) => ({
    stream: t.field({ type: StreamAt, resolve: (x) => x as At<unknown> }),
    groupId: t.string({ resolve: (g) => g.state.groupId }),
    groupName: t.string({ resolve: (g) => g.state.groupName }),
    path: t.string({ resolve: (g) => g.state.path }),
    arn: t.string({ resolve: (g) => g.state.arn }),
    attachedPolicies: t.field({ type: [AttachedAt], resolve: (g) => [...g.state.permissions.attached] }),
    inlinePolicies: t.field({ type: [InlineAt], resolve: (g) => inline(g.state.permissions) }),
  }),
});

export const RoleAtRef = builder.objectRef<At<RoleState>>("HistoricRole").implement({
  description: "A role as it was at a point of the log.",
  fields: (t) => ({
    stream: t.field({ type: StreamAt, resolve: (x) => x as At<unknown> }),
    roleId: t.string({ resolve: (r) => r.state.roleId }),
    roleName: t.string({ resolve: (r) => r.state.roleName }),
    path: t.string({ resolve: (r) => r.state.path }),
    arn: t.string({ resolve: (r) => r.state.arn }),
    description: t.string({ resolve: (r) => r.state.description }),
    maxSessionDuration: t.int({ resolve: (r) => r.state.maxSessionDuration }),
    assumeRolePolicyDocument: t.string({ resolve: (r) => r.state.assumeRolePolicyDocument }),
    tags: t.field({ type: [TagAt], resolve: (r) => [...r.state.tags] }),
    attachedPolicies: t.field({ type: [AttachedAt], resolve: (r) => [...r.state.permissions.attached] }),
    inlinePolicies: t.field({ type: [InlineAt], resolve: (r) => inline(r.state.permissions) }),
    permissionsBoundaryArn: t.string({ nullable: true, resolve: (r) => r.state.permissions.boundaryArn ?? null }),
  }),
});

const PolicyVersionAt = builder.objectRef<{ versionId: string; document: string; isDefault: boolean }>("HistoricPolicyVersion").implement({
  fields: (t) => ({ versionId: t.exposeString("versionId"), document: t.exposeString("document"), isDefaultVersion: t.exposeBoolean("isDefault") }),
});

/** A customer-managed policy folded from its stream, or an AWS-managed one from the build (no stream). */
export type PolicyAt = At<PolicyState> | { readonly awsManaged: { arn: string; name: string; path: string; description: string; versionId: string; document: string } };

export const PolicyAtRef = builder.objectRef<PolicyAt>("HistoricPolicy").implement({
  description: "A managed policy as it was at a point of the log (AWS-managed ones are reference data and never change).",
  fields: (t) => {
    const v = (p: PolicyAt) =>
      "awsManaged" in p
        ? { ...p.awsManaged, policyId: p.awsManaged.arn, policyName: p.awsManaged.name, defaultVersionId: p.awsManaged.versionId, versions: [{ versionId: p.awsManaged.versionId, document: p.awsManaged.document }], tags: [] as readonly Tag[] }
        : p.state;
    return {
      policyId: t.string({ resolve: (p) => v(p).policyId }),
      policyName: t.string({ resolve: (p) => v(p).policyName }),
      path: t.string({ resolve: (p) => v(p).path }),
      arn: t.string({ resolve: (p) => v(p).arn }),
      description: t.string({ resolve: (p) => v(p).description }),
      isAwsManaged: t.boolean({ resolve: (p) => "awsManaged" in p || p.state.awsManaged === true }),
      defaultVersionId: t.string({ resolve: (p) => v(p).defaultVersionId }),
      versions: t.field({ type: [PolicyVersionAt], resolve: (p) => v(p).versions.map((x) => ({ ...x, isDefault: x.versionId === v(p).defaultVersionId })) }),
      tags: t.field({ type: [TagAt], resolve: (p) => [...v(p).tags] }),
    };
  },
});

const Holder = builder.objectRef<PolicySource["attachedTo"]>("HistoricPolicyHolder").implement({
  fields: (t) => ({ type: t.exposeString("type", { description: "user, group or role" }), name: t.exposeString("name"), arn: t.exposeString("arn") }),
});

export const PolicySourceAtRef = builder.objectRef<PolicySource>("HistoricPolicySource").implement({
  description: "How a policy reached a principal at some point: the same provenance the authorizer reports.",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "managed or inline" }),
    role: t.exposeString("role", { description: "identity or boundary" }),
    policyArn: t.exposeString("policyArn", { nullable: true }),
    policyName: t.exposeString("policyName"),
    versionId: t.exposeString("versionId", { nullable: true, description: "Managed policies: the default version in effect then." }),
    attachedTo: t.field({ type: Holder, resolve: (s) => s.attachedTo }),
    viaGroup: t.field({ type: Holder, nullable: true, resolve: (s) => (s.viaGroup ? { type: "group" as const, ...s.viaGroup } : null) }),
  }),
});

export const MatchedStatementAtRef = builder.objectRef<MatchedStatement>("HistoricMatchedStatement").implement({
  fields: (t) => ({
    statementIndex: t.exposeInt("statementIndex"),
    sid: t.exposeString("sid", { nullable: true }),
    effect: t.exposeString("effect"),
    source: t.field({ type: PolicySourceAtRef, resolve: (m) => m.source }),
  }),
});

import { awsManagedPolicyId } from "../catalogue/aws-managed-id.js";
import type { RawQueryable } from "../eventstore/read.js";
import { findAwsManagedPolicy } from "../policy/aws-managed-policies.js";
import { policyNameOfArn } from "../api/policy-loaders.js";
import { accountStateAt } from "./account-state.js";
import type { AccountState, InlinePolicy } from "./model.js";

/** AWS's date format in the CLI's output: `2024-01-02T03:04:05+00:00`. */
const awsDate = (iso: string) => iso.replace(/\.\d{3}Z$/, "+00:00").replace(/Z$/, "+00:00");
const doc = (text: string): unknown => JSON.parse(text);
const inlineList = (list: readonly InlinePolicy[]) => list.map((p) => ({ PolicyName: p.policyName, PolicyDocument: doc(p.document) }));
const attachedList = (arns: readonly string[]) => arns.map((arn) => ({ PolicyName: policyNameOfArn(arn), PolicyArn: arn }));
const boundary = (arn: string | undefined) => (arn ? { PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn } } : {});
const tagList = (tags: readonly { key: string; value: string }[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));

/**
 * GetAccountAuthorizationDetails of iamgraph's state at a position, in the JSON the AWS CLI prints
 * (`aws iam get-account-authorization-details`): documents as JSON objects, AWS's field names,
 * the fields AWS computes (AttachmentCount, IsAttachable, …) computed the same way. The one
 * AWS-shaped read of the account: `iamgraph export aws`, the `accountSnapshot` query, and an AWS
 * Query API adapter all call this.
 */
export async function accountAuthorizationDetailsAt(db: RawQueryable, accountId: string, position: number): Promise<Record<string, unknown>> {
  const state = await accountStateAt(db, accountId, position);
  return authorizationDetailsOf(state, await awsManagedPoliciesUsed(db, state));
}

/** An AWS-managed policy as the export lists it: its default version. */
export interface AwsPolicyListed {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly versionId: string;
  readonly document: string;
  readonly description: string;
}

/**
 * The AWS-managed policies the account uses, from the store's catalogue (the full one holds
 * thousands; IAMGRAPH_AWS_CATALOGUE) — their current default version: the catalogue's own
 * history is AWS's, not the account's — else from the built-in five.
 */
async function awsManagedPoliciesUsed(db: RawQueryable, state: AccountState): Promise<AwsPolicyListed[]> {
  const holders = [...state.users, ...state.groups, ...state.roles];
  const arns = [...new Set([...holders.flatMap((h) => h.attached), ...[...state.users, ...state.roles].flatMap((h) => (h.boundary ? [h.boundary] : []))])];
  const rows = await db.$queryRawUnsafe<{ arn: string; policy_name: string; path: string; version_id: string; document: string; description: string }[]>(
    `SELECT p.arn, p.policy_name, p.path, v.version_id, v.document, p.description
       FROM policies p JOIN policy_versions v ON v.policy_id = p.id AND v.is_default
      WHERE p.is_aws_managed AND p.arn = ANY($1::text[])`,
    arns,
  );
  const stored = new Map(rows.map((r) => [r.arn, { name: r.policy_name, arn: r.arn, path: r.path, versionId: r.version_id, document: r.document, description: r.description }]));
  return arns.flatMap((arn) => {
    const p = stored.get(arn) ?? findAwsManagedPolicy(arn);
    return p ? [{ name: p.name, arn: p.arn, path: p.path, versionId: p.versionId, document: p.document, description: p.description }] : [];
  });
}

export function authorizationDetailsOf(state: AccountState, awsPolicies: readonly AwsPolicyListed[]): Record<string, unknown> {
  const groupName = new Map(state.groups.map((g) => [g.id, g.name]));
  const holders = [...state.users, ...state.groups, ...state.roles];
  const attachments = (arn: string) => holders.filter((h) => h.attached.includes(arn)).length;
  const boundaryUses = (arn: string) => [...state.users, ...state.roles].filter((h) => h.boundary === arn).length;
  const awsUsed = [...awsPolicies].sort((a, b) => a.arn.localeCompare(b.arn));
  const byName = <T extends { name: string }>(list: readonly T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
  return {
    UserDetailList: byName(state.users).map((u) => ({
      Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: awsDate(u.createDate),
      UserPolicyList: inlineList(u.inline), GroupList: u.groups.map((g) => groupName.get(g)!), AttachedManagedPolicies: attachedList(u.attached),
      ...boundary(u.boundary), Tags: tagList(u.tags),
    })),
    GroupDetailList: byName(state.groups).map((g) => ({
      Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: awsDate(g.createDate),
      GroupPolicyList: inlineList(g.inline), AttachedManagedPolicies: attachedList(g.attached),
    })),
    RoleDetailList: byName(state.roles).map((r) => ({
      Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: awsDate(r.createDate), AssumeRolePolicyDocument: doc(r.trustPolicy),
      InstanceProfileList: [], RolePolicyList: inlineList(r.inline), AttachedManagedPolicies: attachedList(r.attached), ...boundary(r.boundary), Tags: tagList(r.tags), RoleLastUsed: {},
    })),
    Policies: [
      ...byName(state.policies).map((p) => ({
        PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersionId,
        AttachmentCount: attachments(p.arn), PermissionsBoundaryUsageCount: boundaryUses(p.arn), IsAttachable: true,
        ...(p.description ? { Description: p.description } : {}),
        CreateDate: awsDate(p.createDate), UpdateDate: awsDate(p.versions.map((v) => v.createDate).sort().at(-1) ?? p.createDate),
        PolicyVersionList: p.versions.map((v) => ({ Document: doc(v.document), VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersionId, CreateDate: awsDate(v.createDate) })),
      })),
      // AWS lists the AWS-managed policies the account uses; iamgraph has only their default version.
      ...awsUsed.map((p) => ({
        PolicyName: p.name, PolicyId: awsManagedPolicyId(p.name), Arn: p.arn, Path: p.path, DefaultVersionId: p.versionId,
        AttachmentCount: attachments(p.arn), PermissionsBoundaryUsageCount: boundaryUses(p.arn), IsAttachable: true, Description: p.description,
        PolicyVersionList: [{ Document: doc(p.document), VersionId: p.versionId, IsDefaultVersion: true }],
      })),
    ],
  };
}

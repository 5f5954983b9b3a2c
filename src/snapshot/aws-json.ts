import { z } from "zod";

// The JSON of `aws iam get-account-authorization-details`, as the AWS CLI prints it (documents
// as JSON objects) or as the raw API returns it (documents URL-encoded). Fields AWS computes
// (AttachmentCount, IsAttachable, UpdateDate, RoleLastUsed, InstanceProfileList …) are read
// past, not checked: export writes them, import ignores them.

const document = z.union([z.string(), z.record(z.string(), z.unknown())]);
const attached = z.array(z.object({ PolicyName: z.string(), PolicyArn: z.string() })).default([]);
const inline = z.array(z.object({ PolicyName: z.string(), PolicyDocument: document })).default([]);
const boundary = z.object({ PermissionsBoundaryType: z.string().optional(), PermissionsBoundaryArn: z.string() }).optional();
const tags = z.array(z.object({ Key: z.string(), Value: z.string() })).default([]);
const date = z.string();

export const awsUserDetail = z.object({
  Path: z.string(),
  UserName: z.string(),
  UserId: z.string(),
  Arn: z.string(),
  CreateDate: date,
  UserPolicyList: inline,
  GroupList: z.array(z.string()).default([]),
  AttachedManagedPolicies: attached,
  PermissionsBoundary: boundary,
  Tags: tags,
});

export const awsGroupDetail = z.object({
  Path: z.string(),
  GroupName: z.string(),
  GroupId: z.string(),
  Arn: z.string(),
  CreateDate: date,
  GroupPolicyList: inline,
  AttachedManagedPolicies: attached,
});

export const awsRoleDetail = z.object({
  Path: z.string(),
  RoleName: z.string(),
  RoleId: z.string(),
  Arn: z.string(),
  CreateDate: date,
  AssumeRolePolicyDocument: document,
  RolePolicyList: inline,
  AttachedManagedPolicies: attached,
  PermissionsBoundary: boundary,
  Tags: tags,
});

export const awsManagedPolicyDetail = z.object({
  PolicyName: z.string(),
  PolicyId: z.string(),
  Arn: z.string(),
  Path: z.string(),
  DefaultVersionId: z.string(),
  Description: z.string().optional(),
  // Required of customer-managed policies (parse-snapshot.ts); AWS-managed ones are only read past.
  CreateDate: date.optional(),
  PolicyVersionList: z.array(z.object({ Document: document, VersionId: z.string(), IsDefaultVersion: z.boolean().optional(), CreateDate: date.optional() })),
});

export const awsAuthorizationDetails = z.object({
  UserDetailList: z.array(awsUserDetail).default([]),
  GroupDetailList: z.array(awsGroupDetail).default([]),
  RoleDetailList: z.array(awsRoleDetail).default([]),
  Policies: z.array(awsManagedPolicyDetail).default([]),
  IsTruncated: z.boolean().optional(),
});

export type AwsAuthorizationDetails = z.infer<typeof awsAuthorizationDetails>;

/** A JSON path as the refusals print it: `$.UserDetailList[3].UserPolicyList[0].PolicyDocument`. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((p, s) => (typeof s === "number" ? `${p}[${s}]` : `${p}.${String(s)}`), "$");
}

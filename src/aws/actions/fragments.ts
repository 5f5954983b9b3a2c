// GraphQL selections aliased to the AWS output shapes' member names (one per AWS shape).

export const userFields = "UserName: userName UserId: userId Arn: arn Path: path CreateDate: createDate";
export const tagFields = "Tags: tags { Key: key Value: value }";
export const boundaryFields = "PermissionsBoundary: permissionsBoundary { PermissionsBoundaryType: permissionsBoundaryType PermissionsBoundaryArn: permissionsBoundaryArn }";
export const groupFields = "GroupName: groupName GroupId: groupId Arn: arn Path: path CreateDate: createDate";
export const roleFields = "RoleName: roleName RoleId: roleId Arn: arn Path: path CreateDate: createDate Description: description MaxSessionDuration: maxSessionDuration AssumeRolePolicyDocument: assumeRolePolicyDocument";
export const policyFields =
  "PolicyName: policyName PolicyId: policyId Arn: arn Path: path DefaultVersionId: defaultVersionId AttachmentCount: attachmentCount PermissionsBoundaryUsageCount: permissionsBoundaryUsageCount IsAttachable: isAttachable Description: description CreateDate: createDate UpdateDate: updateDate";
export const versionFields = "VersionId: versionId IsDefaultVersion: isDefaultVersion CreateDate: createDate Document: document";
export const attachedFields = "PolicyName: policyName PolicyArn: policyArn";
export const pageInfo = "pageInfo { hasNextPage endCursor }";

/** A role as AWS returns it: its trust policy URL-encoded. */
export function roleOut<T extends { AssumeRolePolicyDocument?: string }>(role: T): T {
  return { ...role, AssumeRolePolicyDocument: role.AssumeRolePolicyDocument === undefined ? undefined : encodeURIComponent(role.AssumeRolePolicyDocument) };
}

/** AWS leaves an empty description out. */
export function withoutEmpty<T extends Record<string, unknown>>(value: T, ...keys: (keyof T)[]): T {
  const out = { ...value };
  for (const key of keys) if (out[key] === "") delete out[key];
  return out;
}

import { encodeDocument, onIamError, payload, pageOf, refuseUnsupported, type ActionTable, type AwsAction } from "../action.js";
import { attachedFields, boundaryFields, tagFields, versionFields, withoutEmpty } from "./fragments.js";

const inline = "PolicyName: policyName PolicyDocument: policyDocument";
const encodeInline = (list: any[]) => list.map((p) => ({ ...p, PolicyDocument: encodeDocument(p.PolicyDocument) }));
const noEmpty = (value: any) => {
  const { Tags, PermissionsBoundary, ...rest } = value;
  return { ...rest, ...(Tags?.length ? { Tags } : {}), ...(PermissionsBoundary ? { PermissionsBoundary } : {}) };
};

const contextIn = (entries: unknown) =>
  (entries as { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: string }[] | undefined)?.map((e) => ({
    contextKeyName: e.ContextKeyName,
    contextKeyValues: e.ContextKeyValues ?? [],
    contextKeyType: e.ContextKeyType,
  }));

const evaluationFields = `evaluationResults { EvalActionName: evalActionName EvalResourceName: evalResourceName EvalDecision: evalDecision MissingContextValues: missingContextValues
  matchedStatements { SourcePolicyId: sourcePolicyId SourcePolicyType: sourcePolicyType } permissionsBoundaryDecisionDetail { AllowedByPermissionsBoundary: allowedByPermissionsBoundary } }`;

function simulationOut(d: any, i: Record<string, unknown>) {
  const results = payload(d.r).evaluationResults.map(({ matchedStatements, permissionsBoundaryDecisionDetail, ...r }: any) => ({
    ...r,
    MatchedStatements: matchedStatements,
    ...(permissionsBoundaryDecisionDetail ? { PermissionsBoundaryDecisionDetail: permissionsBoundaryDecisionDetail } : {}),
  }));
  const { items, ...page } = pageOf(results, i);
  return { EvaluationResults: items, ...page };
}

// Resource-based policies (and the caller/owner they would name) are not simulated: refused, not ignored.
const unsupportedSimulation = ["ResourcePolicy", "ResourceOwner", "CallerArn", "ResourceHandlingOption"];

const simulationArgs = "$actionNames: [String!]!, $resourceArns: [String!], $policyInputList: [String!], $permissionsBoundaryPolicyInputList: [String!], $contextEntries: [ContextEntryInput!]";
const simulationPass = "actionNames: $actionNames, resourceArns: $resourceArns, policyInputList: $policyInputList, permissionsBoundaryPolicyInputList: $permissionsBoundaryPolicyInputList, contextEntries: $contextEntries";
const simulationVariables = (i: Record<string, unknown>) => ({
  actionNames: i.ActionNames,
  resourceArns: i.ResourceArns,
  policyInputList: i.PolicyInputList,
  permissionsBoundaryPolicyInputList: i.PermissionsBoundaryPolicyInputList,
  contextEntries: contextIn(i.ContextEntries),
});

const getAccountAuthorizationDetails: AwsAction = {
  document: `query ($filter: [EntityType!]) { d: accountAuthorizationDetails(filter: $filter) {
    userDetailList { Path: path UserName: userName UserId: userId Arn: arn CreateDate: createDate UserPolicyList: userPolicyList { ${inline} } GroupList: groupList AttachedManagedPolicies: attachedManagedPolicies { ${attachedFields} } ${boundaryFields} ${tagFields} }
    groupDetailList { Path: path GroupName: groupName GroupId: groupId Arn: arn CreateDate: createDate GroupPolicyList: groupPolicyList { ${inline} } AttachedManagedPolicies: attachedManagedPolicies { ${attachedFields} } }
    roleDetailList { Path: path RoleName: roleName RoleId: roleId Arn: arn CreateDate: createDate AssumeRolePolicyDocument: assumeRolePolicyDocument RolePolicyList: rolePolicyList { ${inline} } AttachedManagedPolicies: attachedManagedPolicies { ${attachedFields} } ${boundaryFields} ${tagFields} }
    policies { PolicyName: policyName PolicyId: policyId Arn: arn Path: path DefaultVersionId: defaultVersionId AttachmentCount: attachmentCount PermissionsBoundaryUsageCount: permissionsBoundaryUsageCount IsAttachable: isAttachable Description: description CreateDate: createDate UpdateDate: updateDate PolicyVersionList: policyVersionList { ${versionFields} } }
  } }`,
  variables: (i) => ({ filter: i.Filter }),
  output: ({ d }, i) => {
    // AWS pages the four lists as one (MaxItems counts users, groups, roles and policies
    // together, in that order): the same here, over the account the GraphQL field returns whole.
    const all = [
      ...d.userDetailList.map((u: any) => ["UserDetailList", noEmpty({ ...u, UserPolicyList: encodeInline(u.UserPolicyList) })] as const),
      ...d.groupDetailList.map((g: any) => ["GroupDetailList", { ...g, GroupPolicyList: encodeInline(g.GroupPolicyList) }] as const),
      ...d.roleDetailList.map((r: any) => ["RoleDetailList", noEmpty({ ...r, AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument), RolePolicyList: encodeInline(r.RolePolicyList) })] as const),
      ...d.policies.map((p: any) => ["Policies", withoutEmpty({ ...p, PolicyVersionList: p.PolicyVersionList.map((v: any) => ({ ...v, Document: encodeDocument(v.Document) })) }, "Description")] as const),
    ];
    const { items, ...page } = pageOf(all, i);
    const of = (list: string) => items.filter(([l]) => l === list).map(([, item]) => item);
    return { UserDetailList: of("UserDetailList"), GroupDetailList: of("GroupDetailList"), RoleDetailList: of("RoleDetailList"), Policies: of("Policies"), ...page };
  },
};

export const accountActions: ActionTable = {
  GetAccountSummary: {
    document: `query { accountSummary { summaryMap { key value } } }`,
    output: (d) => ({ SummaryMap: Object.fromEntries(d.accountSummary.summaryMap.map((e: any) => [e.key, e.value])) }),
  },
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
  SimulatePrincipalPolicy: {
    document: `query ($policySourceArn: String!, ${simulationArgs}) { r: simulatePrincipalPolicy(policySourceArn: $policySourceArn, ${simulationPass}) { __typename ... on IamError { code message } ... on SimulatePolicyResponse { ${evaluationFields} } } }`,
    variables: (i) => (refuseUnsupported(i, "SimulatePrincipalPolicy", ...unsupportedSimulation), { policySourceArn: i.PolicySourceArn, ...simulationVariables(i) }),
    output: simulationOut,
  },
  GetContextKeysForPrincipalPolicy: {
    document: `query ($policySourceArn: String!, $policyInputList: [String!]) { r: contextKeysForPrincipalPolicy(policySourceArn: $policySourceArn, policyInputList: $policyInputList) { ${onIamError} ... on ContextKeysResponse { contextKeyNames } } }`,
    variables: (i) => ({ policySourceArn: i.PolicySourceArn, policyInputList: i.PolicyInputList }),
    output: (d) => ({ ContextKeyNames: payload(d.r).contextKeyNames }),
  },
  GetContextKeysForCustomPolicy: {
    document: `query ($policyInputList: [String!]!) { r: contextKeysForCustomPolicy(policyInputList: $policyInputList) { ${onIamError} ... on ContextKeysResponse { contextKeyNames } } }`,
    variables: (i) => ({ policyInputList: i.PolicyInputList }),
    output: (d) => ({ ContextKeyNames: payload(d.r).contextKeyNames }),
  },
  SimulateCustomPolicy: {
    document: `query (${simulationArgs.replace("$policyInputList: [String!]", "$policyInputList: [String!]!")}) { r: simulateCustomPolicy(${simulationPass}) { __typename ... on IamError { code message } ... on SimulatePolicyResponse { ${evaluationFields} } } }`,
    variables: (i) => (refuseUnsupported(i, "SimulateCustomPolicy", ...unsupportedSimulation), simulationVariables(i)),
    output: simulationOut,
  },
};

import { encodeDocument, found, onIamError, pageOf, payload, policyPathOf, type ActionTable, type AwsAction } from "../action.js";
import { attachedFields } from "./fragments.js";

// Attachments, inline policies and boundaries: the same actions for users, groups and roles
// (boundaries: users and roles), as the GraphQL fields and src/api/mutation-commands.ts have them.

const holders = [
  ["User", "user", "userName"],
  ["Group", "group", "groupName"],
  ["Role", "role", "roleName"],
] as const;

const done = (d: any) => (payload(d.r), {});
const actions: Record<string, AwsAction> = {};

for (const [Noun, field, nameArg] of holders) {
  const nameOf = (i: Record<string, unknown>) => i[`${Noun}Name`];
  const absent = (i: Record<string, unknown>) => `The ${field} with name ${String(nameOf(i))} cannot be found.`;
  actions[`Attach${Noun}Policy`] = {
    document: `mutation ($name: String!, $policyArn: String!) { r: attach${Noun}Policy(${nameArg}: $name, policyArn: $policyArn) { ${onIamError} } }`,
    variables: (i) => ({ name: nameOf(i), policyArn: i.PolicyArn }),
    output: done,
  };
  actions[`Detach${Noun}Policy`] = {
    document: `mutation ($name: String!, $policyArn: String!) { r: detach${Noun}Policy(${nameArg}: $name, policyArn: $policyArn) { ${onIamError} } }`,
    variables: (i) => ({ name: nameOf(i), policyArn: i.PolicyArn }),
    output: done,
  };
  actions[`ListAttached${Noun}Policies`] = {
    document: `query ($name: String!) { e: ${field}(${nameArg}: $name) { attachedPolicies { ${attachedFields} } } }`,
    variables: (i) => ({ name: nameOf(i) }),
    output: (d, i) => {
      // PathPrefix filters on the policy's path (AWS: "the path prefix for filtering the results").
      const prefix = (i.PathPrefix as string | undefined) ?? "/";
      const attached = found(d.e, absent(i)).attachedPolicies.filter((p: { PolicyArn: string }) => policyPathOf(p.PolicyArn).startsWith(prefix));
      const { items, ...page } = pageOf(attached, i);
      return { AttachedPolicies: items, ...page };
    },
  };
  actions[`Put${Noun}Policy`] = {
    document: `mutation ($name: String!, $policyName: String!, $policyDocument: String!) { r: put${Noun}Policy(${nameArg}: $name, policyName: $policyName, policyDocument: $policyDocument) { ${onIamError} } }`,
    variables: (i) => ({ name: nameOf(i), policyName: i.PolicyName, policyDocument: i.PolicyDocument }),
    output: done,
  };
  actions[`Get${Noun}Policy`] = {
    document: `query ($name: String!, $policyName: String!) { e: ${field}(${nameArg}: $name) { inlinePolicy(policyName: $policyName) { policyName policyDocument } } }`,
    variables: (i) => ({ name: nameOf(i), policyName: i.PolicyName }),
    output: (d, i) => {
      const policy = found(found(d.e, absent(i)).inlinePolicy, `The ${field} policy with name ${String(i.PolicyName)} cannot be found.`);
      return { [`${Noun}Name`]: nameOf(i), PolicyName: policy.policyName, PolicyDocument: encodeDocument(policy.policyDocument) };
    },
  };
  actions[`List${Noun}Policies`] = {
    document: `query ($name: String!) { e: ${field}(${nameArg}: $name) { inlinePolicies { policyName } } }`,
    variables: (i) => ({ name: nameOf(i) }),
    output: (d, i) => {
      const { items, ...page } = pageOf<{ policyName: string }>(found(d.e, absent(i)).inlinePolicies, i);
      return { PolicyNames: items.map((p) => p.policyName), ...page };
    },
  };
  actions[`Delete${Noun}Policy`] = {
    document: `mutation ($name: String!, $policyName: String!) { r: delete${Noun}Policy(${nameArg}: $name, policyName: $policyName) { ${onIamError} } }`,
    variables: (i) => ({ name: nameOf(i), policyName: i.PolicyName }),
    output: done,
  };
}

for (const [Noun, , nameArg] of [holders[0], holders[2]] as const) {
  actions[`Put${Noun}PermissionsBoundary`] = {
    document: `mutation ($name: String!, $permissionsBoundary: String!) { r: put${Noun}PermissionsBoundary(${nameArg}: $name, permissionsBoundary: $permissionsBoundary) { ${onIamError} } }`,
    variables: (i) => ({ name: i[`${Noun}Name`], permissionsBoundary: i.PermissionsBoundary }),
    output: done,
  };
  actions[`Delete${Noun}PermissionsBoundary`] = {
    document: `mutation ($name: String!) { r: delete${Noun}PermissionsBoundary(${nameArg}: $name) { ${onIamError} } }`,
    variables: (i) => ({ name: i[`${Noun}Name`] }),
    output: done,
  };
}

export const permissionActions: ActionTable = actions;

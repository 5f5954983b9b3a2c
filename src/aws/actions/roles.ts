import { fromConnection, found, onIamError, pageArgs, pageOf, payload, tagsIn, type ActionTable } from "../action.js";
import { boundaryFields, pageInfo, roleFields, roleOut, tagFields, withoutEmpty } from "./fragments.js";

const noRole = (name: unknown) => `The role with name ${String(name)} cannot be found.`;

function fullRole(role: any) {
  const { Tags, PermissionsBoundary, ...rest } = role;
  return withoutEmpty({ ...roleOut(rest), ...(Tags?.length ? { Tags } : {}), ...(PermissionsBoundary ? { PermissionsBoundary } : {}) }, "Description");
}

export const roleActions: ActionTable = {
  CreateRole: {
    document: `mutation ($roleName: String!, $assumeRolePolicyDocument: String!, $path: String, $description: String, $maxSessionDuration: Int, $tags: [TagInput!], $permissionsBoundary: String) {
      r: createRole(roleName: $roleName, assumeRolePolicyDocument: $assumeRolePolicyDocument, path: $path, description: $description, maxSessionDuration: $maxSessionDuration, tags: $tags, permissionsBoundary: $permissionsBoundary) {
        ${onIamError} ... on RolePayload { role { ${roleFields} ${tagFields} ${boundaryFields} } } } }`,
    variables: (i) => ({
      roleName: i.RoleName, assumeRolePolicyDocument: i.AssumeRolePolicyDocument, path: i.Path, description: i.Description, maxSessionDuration: i.MaxSessionDuration, tags: tagsIn(i.Tags),
      permissionsBoundary: i.PermissionsBoundary,
    }),
    output: (d) => ({ Role: fullRole(payload(d.r).role) }),
  },
  GetRole: {
    document: `query ($roleName: String!) { role(roleName: $roleName) { ${roleFields} ${tagFields} ${boundaryFields} } }`,
    variables: (i) => ({ roleName: i.RoleName }),
    output: (d, i) => ({ Role: fullRole(found(d.role, noRole(i.RoleName))) }),
  },
  ListRoles: {
    document: `query ($pathPrefix: String, $first: Int, $after: String) { roles(pathPrefix: $pathPrefix, first: $first, after: $after) { edges { node { ${roleFields} } } ${pageInfo} } }`,
    variables: (i) => ({ pathPrefix: i.PathPrefix, ...pageArgs(i) }),
    output: (d) => {
      const { items, ...page } = fromConnection<any>(d.roles);
      return { Roles: items.map(fullRole), ...page };
    },
  },
  DeleteRole: {
    document: `mutation ($roleName: String!) { r: deleteRole(roleName: $roleName) { ${onIamError} } }`,
    variables: (i) => ({ roleName: i.RoleName }),
    output: (d) => (payload(d.r), {}),
  },
  UpdateAssumeRolePolicy: {
    document: `mutation ($roleName: String!, $policyDocument: String!) { r: updateAssumeRolePolicy(roleName: $roleName, policyDocument: $policyDocument) { ${onIamError} } }`,
    variables: (i) => ({ roleName: i.RoleName, policyDocument: i.PolicyDocument }),
    output: (d) => (payload(d.r), {}),
  },
  TagRole: {
    document: `mutation ($roleName: String!, $tags: [TagInput!]!) { r: tagRole(roleName: $roleName, tags: $tags) { ${onIamError} } }`,
    variables: (i) => ({ roleName: i.RoleName, tags: tagsIn(i.Tags) }),
    output: (d) => (payload(d.r), {}),
  },
  UntagRole: {
    document: `mutation ($roleName: String!, $tagKeys: [String!]!) { r: untagRole(roleName: $roleName, tagKeys: $tagKeys) { ${onIamError} } }`,
    variables: (i) => ({ roleName: i.RoleName, tagKeys: i.TagKeys }),
    output: (d) => (payload(d.r), {}),
  },
  ListRoleTags: {
    document: `query ($roleName: String!) { role(roleName: $roleName) { ${tagFields} } }`,
    variables: (i) => ({ roleName: i.RoleName }),
    output: (d, i) => {
      const { items, ...page } = pageOf(found(d.role, noRole(i.RoleName)).Tags, i);
      return { Tags: items, ...page };
    },
  },
};

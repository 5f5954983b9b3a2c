import { fromConnection, found, onIamError, pageArgs, pageOf, payload, tagsIn, type ActionTable } from "../action.js";
import { boundaryFields, groupFields, pageInfo, tagFields, userFields } from "./fragments.js";

const noUser = (name: unknown) => `The user with name ${String(name)} cannot be found.`;

/** A user's own optional members: AWS leaves out what is not set. */
function userOut(user: any) {
  const { Tags, PermissionsBoundary, ...rest } = user;
  return { ...rest, ...(Tags?.length ? { Tags } : {}), ...(PermissionsBoundary ? { PermissionsBoundary } : {}) };
}

export const userActions: ActionTable = {
  CreateUser: {
    document: `mutation ($userName: String!, $path: String, $tags: [TagInput!], $permissionsBoundary: String) {
      r: createUser(userName: $userName, path: $path, tags: $tags, permissionsBoundary: $permissionsBoundary) { ${onIamError} ... on UserPayload { user { ${userFields} ${tagFields} ${boundaryFields} } } } }`,
    variables: (i) => ({ userName: i.UserName, path: i.Path, tags: tagsIn(i.Tags), permissionsBoundary: i.PermissionsBoundary }),
    output: (d) => ({ User: userOut(payload(d.r).user) }),
  },
  GetUser: {
    // Without UserName, the caller's own user (AWS semantics; root has none to return).
    document: `query ($userName: String!) { user(userName: $userName) { ${userFields} ${tagFields} ${boundaryFields} } }`,
    variables: (i, caller) => ({ userName: i.UserName ?? (caller.kind === "user" ? caller.userName : "") }),
    output: (d, i, caller) => ({ User: userOut(found(d.user, noUser(i.UserName ?? (caller.kind === "user" ? caller.userName : "root")))) }),
  },
  ListUsers: {
    document: `query ($pathPrefix: String, $first: Int, $after: String) { users(pathPrefix: $pathPrefix, first: $first, after: $after) { edges { node { ${userFields} } } ${pageInfo} } }`,
    variables: (i) => ({ pathPrefix: i.PathPrefix, ...pageArgs(i) }),
    output: (d) => {
      const { items, ...page } = fromConnection(d.users);
      return { Users: items, ...page };
    },
  },
  UpdateUser: {
    document: `mutation ($userName: String!, $newUserName: String, $newPath: String) { r: updateUser(userName: $userName, newUserName: $newUserName, newPath: $newPath) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName, newUserName: i.NewUserName, newPath: i.NewPath }),
    output: (d) => (payload(d.r), {}),
  },
  DeleteUser: {
    document: `mutation ($userName: String!) { r: deleteUser(userName: $userName) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName }),
    output: (d) => (payload(d.r), {}),
  },
  TagUser: {
    document: `mutation ($userName: String!, $tags: [TagInput!]!) { r: tagUser(userName: $userName, tags: $tags) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName, tags: tagsIn(i.Tags) }),
    output: (d) => (payload(d.r), {}),
  },
  UntagUser: {
    document: `mutation ($userName: String!, $tagKeys: [String!]!) { r: untagUser(userName: $userName, tagKeys: $tagKeys) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName, tagKeys: i.TagKeys }),
    output: (d) => (payload(d.r), {}),
  },
  ListUserTags: {
    document: `query ($userName: String!) { user(userName: $userName) { ${tagFields} } }`,
    variables: (i) => ({ userName: i.UserName }),
    output: (d, i) => {
      const { items, ...page } = pageOf(found(d.user, noUser(i.UserName)).Tags, i);
      return { Tags: items, ...page };
    },
  },
  ListGroupsForUser: {
    document: `query ($userName: String!) { groupsForUser(userName: $userName) { ${groupFields} } }`,
    variables: (i) => ({ userName: i.UserName }),
    output: (d, i) => {
      const { items, ...page } = pageOf(d.groupsForUser, i);
      return { Groups: items, ...page };
    },
  },
};

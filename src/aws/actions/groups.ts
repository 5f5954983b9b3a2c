import { fromConnection, found, onIamError, pageArgs, pageOf, payload, type ActionTable } from "../action.js";
import { groupFields, pageInfo, userFields } from "./fragments.js";

const noGroup = (name: unknown) => `The group with name ${String(name)} cannot be found.`;
const done = (field: string) => (d: any) => (payload(d[field]), {});

export const groupActions: ActionTable = {
  CreateGroup: {
    document: `mutation ($groupName: String!, $path: String) { r: createGroup(groupName: $groupName, path: $path) { ${onIamError} ... on GroupPayload { group { ${groupFields} } } } }`,
    variables: (i) => ({ groupName: i.GroupName, path: i.Path }),
    output: (d) => ({ Group: payload(d.r).group }),
  },
  GetGroup: {
    document: `query ($groupName: String!) { group(groupName: $groupName) { ${groupFields} users { ${userFields} } } }`,
    variables: (i) => ({ groupName: i.GroupName }),
    output: (d, i) => {
      const { users, ...group } = found(d.group, noGroup(i.GroupName));
      const { items, ...page } = pageOf(users, i);
      return { Group: group, Users: items, ...page };
    },
  },
  ListGroups: {
    document: `query ($pathPrefix: String, $first: Int, $after: String) { groups(pathPrefix: $pathPrefix, first: $first, after: $after) { edges { node { ${groupFields} } } ${pageInfo} } }`,
    variables: (i) => ({ pathPrefix: i.PathPrefix, ...pageArgs(i) }),
    output: (d) => {
      const { items, ...page } = fromConnection(d.groups);
      return { Groups: items, ...page };
    },
  },
  UpdateGroup: {
    document: `mutation ($groupName: String!, $newGroupName: String, $newPath: String) { r: updateGroup(groupName: $groupName, newGroupName: $newGroupName, newPath: $newPath) { ${onIamError} } }`,
    variables: (i) => ({ groupName: i.GroupName, newGroupName: i.NewGroupName, newPath: i.NewPath }),
    output: done("r"),
  },
  DeleteGroup: {
    document: `mutation ($groupName: String!) { r: deleteGroup(groupName: $groupName) { ${onIamError} } }`,
    variables: (i) => ({ groupName: i.GroupName }),
    output: done("r"),
  },
  AddUserToGroup: {
    document: `mutation ($groupName: String!, $userName: String!) { r: addUserToGroup(groupName: $groupName, userName: $userName) { ${onIamError} } }`,
    variables: (i) => ({ groupName: i.GroupName, userName: i.UserName }),
    output: done("r"),
  },
  RemoveUserFromGroup: {
    document: `mutation ($groupName: String!, $userName: String!) { r: removeUserFromGroup(groupName: $groupName, userName: $userName) { ${onIamError} } }`,
    variables: (i) => ({ groupName: i.GroupName, userName: i.UserName }),
    output: done("r"),
  },
};

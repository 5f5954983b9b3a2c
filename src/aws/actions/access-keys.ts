import { found, onIamError, pageOf, payload, type ActionTable } from "../action.js";

// CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys, GetAccessKeyLastUsed; without
// UserName, the caller's own user (the GraphQL fields default the same way: userNameOrCaller).

export const accessKeyActions: ActionTable = {
  CreateAccessKey: {
    document: `mutation ($userName: String) { r: createAccessKey(userName: $userName) { ${onIamError} ... on AccessKeyPayload { accessKey { UserName: userName AccessKeyId: accessKeyId Status: status SecretAccessKey: secretAccessKey CreateDate: createDate } } } }`,
    variables: (i) => ({ userName: i.UserName }),
    output: (d) => ({ AccessKey: payload(d.r).accessKey }),
  },
  UpdateAccessKey: {
    document: `mutation ($userName: String, $accessKeyId: String!, $status: AccessKeyStatus!) { r: updateAccessKey(userName: $userName, accessKeyId: $accessKeyId, status: $status) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName, accessKeyId: i.AccessKeyId, status: i.Status }),
    output: (d) => (payload(d.r), {}),
  },
  DeleteAccessKey: {
    document: `mutation ($userName: String, $accessKeyId: String!) { r: deleteAccessKey(userName: $userName, accessKeyId: $accessKeyId) { ${onIamError} } }`,
    variables: (i) => ({ userName: i.UserName, accessKeyId: i.AccessKeyId }),
    output: (d) => (payload(d.r), {}),
  },
  ListAccessKeys: {
    document: `query ($userName: String) { accessKeys(userName: $userName) { UserName: userName AccessKeyId: accessKeyId Status: status CreateDate: createDate } }`,
    variables: (i) => ({ userName: i.UserName }),
    output: (d, i) => {
      const { items, ...page } = pageOf(d.accessKeys, i);
      return { AccessKeyMetadata: items, ...page };
    },
  },
  GetAccessKeyLastUsed: {
    document: `query ($accessKeyId: String!) { accessKeyLastUsed(accessKeyId: $accessKeyId) { userName lastUsedDate serviceName } }`,
    variables: (i) => ({ accessKeyId: i.AccessKeyId }),
    output: (d, i) => {
      const used = found(d.accessKeyLastUsed, `The Access Key with id ${String(i.AccessKeyId)} cannot be found.`);
      // AWS answers "N/A" for a key never used; iamgraph records no region (IAM is global).
      return { UserName: used.userName, AccessKeyLastUsed: { ...(used.lastUsedDate ? { LastUsedDate: used.lastUsedDate } : {}), ServiceName: used.serviceName, Region: used.lastUsedDate ? "us-east-1" : "N/A" } };
    },
  },
};

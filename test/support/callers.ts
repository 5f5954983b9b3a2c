import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { ok, type GraphQLClient, type TestApp } from "./graphql.js";

/** Where callers are made: a TestApp, or anything with a root-signed `request` (a LiveServer). */
export type CallerHost = { readonly client: Pick<GraphQLClient, "request"> } | Pick<TestApp, "client" | "clientWith">;

/** A policy document as an object; a string is the ARN of a managed policy to attach. */
export type PolicySpec = object | string;

export interface CallerSpec {
  readonly userName: string;
  readonly path?: string;
  readonly tags?: readonly { key: string; value: string }[];
  /** Inline (objects) or managed (ARNs) identity policies. */
  readonly policies?: readonly PolicySpec[];
  /** The permissions boundary: a document (created as a managed policy) or a managed policy's ARN. */
  readonly boundary?: PolicySpec;
  /** Existing groups to join. */
  readonly groups?: readonly string[];
}

export interface TestCaller {
  readonly userName: string;
  readonly arn: string;
  readonly accessKeyId: string;
  /** The `Authorization` header of the user's key (for WebSocket and SSE clients). */
  readonly authorization: string;
  /** Signed with the user's own access key (hosts that can make clients). */
  readonly client: GraphQLClient;
}

const result = `__typename ... on IamError { code message }`;

/**
 * An IAM user made by root, with the given policies, boundary and groups, and a client signed
 * with the user's own new access key: the caller whose permissions a test is about.
 */
export async function createCaller(t: CallerHost, spec: CallerSpec): Promise<TestCaller> {
  const root = t.client;
  const created = ok(
    await root.request(`mutation ($n: String!, $p: String, $tags: [TagInput!]) { r: createUser(userName: $n, path: $p, tags: $tags) { ${result} ... on UserPayload { user { arn } } } }`, {
      n: spec.userName,
      p: spec.path ?? "/",
      tags: spec.tags ?? [],
    }),
    "r",
  );
  for (const [i, policy] of (spec.policies ?? []).entries()) {
    if (typeof policy === "string") {
      ok(await root.request(`mutation ($n: String!, $a: String!) { r: attachUserPolicy(userName: $n, policyArn: $a) { ${result} } }`, { n: spec.userName, a: policy }), "r");
    } else {
      ok(
        await root.request(`mutation ($n: String!, $p: String!, $d: String!) { r: putUserPolicy(userName: $n, policyName: $p, policyDocument: $d) { ${result} } }`, {
          n: spec.userName,
          p: `policy-${i + 1}`,
          d: JSON.stringify(policy),
        }),
        "r",
      );
    }
  }
  if (spec.boundary !== undefined) {
    const boundaryArn = typeof spec.boundary === "string" ? spec.boundary : await createManagedPolicy(t, `${spec.userName}-boundary`, spec.boundary);
    ok(await root.request(`mutation ($n: String!, $b: String!) { r: putUserPermissionsBoundary(userName: $n, permissionsBoundary: $b) { ${result} } }`, { n: spec.userName, b: boundaryArn }), "r");
  }
  for (const group of spec.groups ?? []) {
    ok(await root.request(`mutation ($n: String!, $g: String!) { r: addUserToGroup(userName: $n, groupName: $g) { ${result} } }`, { n: spec.userName, g: group }), "r");
  }
  const key = ok(
    await root.request(`mutation ($n: String) { r: createAccessKey(userName: $n) { ${result} ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } } }`, { n: spec.userName }),
    "r",
  );
  const { accessKeyId, secretAccessKey } = key.accessKey as { accessKeyId: string; secretAccessKey: string };
  const clientWith = "clientWith" in t ? t.clientWith : undefined;
  return {
    userName: spec.userName,
    arn: created.user.arn,
    accessKeyId,
    authorization: basicAuthorization(accessKeyId, secretAccessKey),
    get client(): GraphQLClient {
      if (!clientWith) throw new Error("this host makes no HTTP clients: use `authorization`");
      return clientWith(accessKeyId, secretAccessKey);
    },
  };
}

/** A customer-managed policy made by root; returns its ARN. */
export async function createManagedPolicy(t: CallerHost, policyName: string, document: object, path = "/"): Promise<string> {
  const created = ok(
    await t.client.request(`mutation ($n: String!, $d: String!, $p: String) { r: createPolicy(policyName: $n, policyDocument: $d, path: $p) { ${result} ... on PolicyPayload { policy { arn } } } }`, {
      n: policyName,
      d: JSON.stringify(document),
      p: path,
    }),
    "r",
  );
  return created.policy.arn;
}

/** `{ Version, Statement }` from statements. */
export const policyOf = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = "*", condition?: object) => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});
export const deny = (action: string | string[], resource: string | string[] = "*", condition?: object) => ({
  Effect: "Deny",
  Action: action,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

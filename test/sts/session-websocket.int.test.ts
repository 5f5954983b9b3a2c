import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { backends } from "../support/databases.js";
import { startLiveServer, type LiveServer } from "../support/live-server.js";

// A role session over graphql-ws: the token travels in connection_init's payload beside the
// authorization (browsers cannot set WebSocket headers); without it the connection is refused.

const ACCOUNT = "123456789012";
const result = `__typename ... on IamError { code message }`;

describe.each(backends)("role sessions over WebSocket on $name", (backend) => {
  let s: LiveServer;
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  beforeAll(async () => {
    s = await startLiveServer(backend, { feedPollMs: 50 });
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }] };
    await s.request(`mutation ($d: String!) { createRole(roleName: "ws", assumeRolePolicyDocument: $d) { ${result} } }`, { d: JSON.stringify(trust) });
    await s.request(`mutation { createUser(userName: "walt") { ${result} } }`);
    await s.request(`mutation ($d: String!) { putUserPolicy(userName: "walt", policyName: "p", policyDocument: $d) { ${result} } }`, {
      d: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/ws` }] }),
    });
    const key = (await s.request(`mutation { createAccessKey(userName: "walt") { ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } } }`)).data.createAccessKey.accessKey;
    const assumed = await fetch(s.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basicAuthorization(key.accessKeyId, key.secretAccessKey) },
      body: JSON.stringify({ query: `mutation { assumeRole(roleArn: "arn:aws:iam::${ACCOUNT}:role/ws", roleSessionName: "ws-1") { ${result} ... on AssumeRoleResponse { credentials { accessKeyId secretAccessKey sessionToken } } } }` }),
    });
    credentials = ((await assumed.json()) as any).data.assumeRole.credentials;
  });
  afterAll(() => s?.close());

  const callerIdentity = (connectionParams: Record<string, string>) =>
    new Promise<unknown>((resolve, reject) => {
      const client = createClient({ url: s.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams });
      client.subscribe({ query: `{ callerIdentity { arn } }` }, {
        next: (value) => {
          resolve(value);
          void client.dispose();
        },
        error: (err) => {
          resolve({ closed: (err as { code?: number; reason?: string }).reason ?? String(err) });
          void client.dispose();
        },
        complete: () => void client.dispose(),
      });
      setTimeout(() => reject(new Error("no answer over the WebSocket")), 10_000).unref();
    });

  test("the session authenticates with its token in the connection params, and not without it", async () => {
    const authorization = basicAuthorization(credentials.accessKeyId, credentials.secretAccessKey);
    expect(await callerIdentity({ authorization, "x-amz-security-token": credentials.sessionToken })).toMatchObject({
      data: { callerIdentity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ws/ws-1` } },
    });
    expect(await callerIdentity({ authorization })).toEqual({ closed: "InvalidClientTokenId: The security token included in the request is invalid." });
  });
});

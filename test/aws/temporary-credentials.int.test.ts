import { GetUserCommand, IAMServiceException, ListUsersCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSServiceException } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { startAwsServer, type AwsServer, type Credentials } from "./support.js";

// Temporary credentials from AssumeRole (issue 18) signing with SigV4 through the real AWS SDK
// (issue 13): the session's secret is sealed beside its hash, so the verifier can check the
// signature; the SDK sends the session token as X-Amz-Security-Token. The session is limited to
// what the role allows.

const account = "123456789012";
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

let s: AwsServer;
let session: Credentials & { readonly sessionToken: string };

beforeAll(async () => {
  s = await startAwsServer();
  const ok = async (query: string, variables: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await s.live.request(query, variables, headers ? { headers } : {});
    const value = Object.values(r.data ?? {})[0] as Record<string, any> | undefined;
    if (!value || value.code) throw new Error(JSON.stringify(r.errors ?? value));
    return value;
  };
  await ok(`mutation ($d: String!) { r: createRole(roleName: "reader", assumeRolePolicyDocument: $d) { __typename ... on IamError { code message } } }`, {
    d: doc({ Effect: "Allow", Principal: { AWS: account }, Action: "sts:AssumeRole" }),
  });
  await ok(`mutation ($d: String!) { r: putRolePolicy(roleName: "reader", policyName: "read", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
    d: doc({ Effect: "Allow", Action: ["iam:GetUser", "iam:ListUsers"], Resource: "*" }),
  });
  await ok(`mutation { r: createUser(userName: "dev") { __typename ... on IamError { code message } } }`, {});
  await ok(`mutation ($d: String!) { r: putUserPolicy(userName: "dev", policyName: "assume", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
    d: doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${account}:role/reader` }),
  });
  const key = (await ok(`mutation { r: createAccessKey(userName: "dev") { __typename ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } ... on IamError { code message } } }`, {})).accessKey;
  const assumed = await ok(
    `mutation ($r: String!) { r: assumeRole(roleArn: $r, roleSessionName: "sdk") { __typename ... on AssumeRoleResponse { credentials { accessKeyId secretAccessKey sessionToken } } ... on IamError { code message } } }`,
    { r: `arn:aws:iam::${account}:role/reader` },
    { authorization: basicAuthorization(key.accessKeyId, key.secretAccessKey) },
  );
  session = assumed.credentials;
}, 60_000);
afterAll(async () => s?.close());

test("the SDK signs with temporary credentials: GetCallerIdentity is the assumed-role session", async () => {
  const me = await s.sts(session).send(new GetCallerIdentityCommand({}));
  expect(me.Arn).toBe(`arn:aws:sts::${account}:assumed-role/reader/sdk`);
  expect(me.UserId).toMatch(/^AROA[A-Z0-9]+:sdk$/);
  expect(me.Account).toBe(account);
});

test("the session may do what the role allows, and nothing else", async () => {
  const iam = s.iam(session);
  expect((await iam.send(new GetUserCommand({ UserName: "dev" }))).User?.UserName).toBe("dev");
  expect((await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain("dev");
  const refused = await iam.send(new CreateUserCommand({ UserName: "intruder" })).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(IAMServiceException);
  expect((refused as IAMServiceException).name).toBe("AccessDenied");
  expect((refused as IAMServiceException).message).toContain(`arn:aws:sts::${account}:assumed-role/reader/sdk is not authorized to perform: iam:CreateUser`);
});

test("a wrong session token, or none, is refused before anything runs", async () => {
  for (const credentials of [{ ...session, sessionToken: `${session.sessionToken.slice(0, -4)}AAAA` }, { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }]) {
    const refused = await s.sts(credentials).send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(STSServiceException);
    expect((refused as STSServiceException).name).toBe("InvalidClientTokenId");
  }
});

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { GetRoleCommand, GetUserCommand, IAMServiceException, ListUsersCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAwsServer, type AwsServer, type Credentials } from "./support.js";

// STS over the Query API (issue 18): AssumeRole and AssumeRoleWithWebIdentity through the real AWS
// SDK and the AWS CLI, answered by the same src/sts/ code as the GraphQL mutations. The returned
// credentials then sign IAM calls. AssumeRoleWithWebIdentity goes unsigned, as the SDK sends it,
// with a token from a local OpenID Connect issuer (node:http serving discovery and a JWKS; its
// https URL routed to the local server by the injected fetch, as in test/sts/web-identity).

const account = "123456789012";
const ISSUER = "https://idp.test";
const PROVIDER = `arn:aws:iam::${account}:oidc-provider/idp.test`;
const deployer = `arn:aws:iam::${account}:role/deployer`;
const ci = `arn:aws:iam::${account}:role/ci`;
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const run = promisify(execFile);

let s: AwsServer;
let dev: Credentials;
let issuer: Server;
let key: { kid: string; privateKey: CryptoKey; jwk: JWK };

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof STSServiceException) && !(e instanceof IAMServiceException)) throw new Error(`expected an AWS service error, got ${String(e)}`);
  return { name: e.name, message: e.message, status: e.$metadata.httpStatusCode };
};

const token = (claims: Record<string, unknown> = {}, options: { aud?: string; exp?: number } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .setIssuer(ISSUER)
    .setSubject("repo:acme/api:ref:refs/heads/main")
    .setAudience(options.aud ?? "sts.amazonaws.com")
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(key.privateKey);

/** An STS client that has no credentials at all: it may only make unsigned calls. */
const unsignedSts = () =>
  new STSClient({
    endpoint: s.endpoint,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: async () => {
      throw new Error("AssumeRoleWithWebIdentity must not need credentials");
    },
  });

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  key = { kid: "k1", privateKey, jwk: { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" } };
  issuer = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }));
    else if (req.url === "/jwks") res.end(JSON.stringify({ keys: [key.jwk] }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => issuer.listen(0, "127.0.0.1", resolve));
  const local = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  s = await startAwsServer({ oidc: { fetch: (input, init) => fetch(String(input).replace(ISSUER, local), init) } });

  const ok = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await s.live.request(query, variables);
    const value = Object.values(r.data ?? {})[0] as Record<string, any> | undefined;
    if (!value || value.code) throw new Error(JSON.stringify(r.errors ?? value));
    return value;
  };
  const put = (kind: "Role" | "User", name: string, policy: string) =>
    ok(`mutation ($d: String!) { r: put${kind}Policy(${kind.toLowerCase()}Name: "${name}", policyName: "p", policyDocument: $d) { __typename ... on IamError { code message } } }`, { d: policy });
  const role = (name: string, trust: string) => ok(`mutation ($d: String!) { r: createRole(roleName: "${name}", assumeRolePolicyDocument: $d) { __typename ... on IamError { code message } } }`, { d: trust });

  await role("deployer", doc({ Effect: "Allow", Principal: { AWS: account }, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"] }));
  await put("Role", "deployer", doc({ Effect: "Allow", Action: ["iam:GetUser", "iam:ListUsers"], Resource: "*" }));
  await ok(`mutation { r: createUser(userName: "dev") { __typename ... on IamError { code message } } }`);
  await put("User", "dev", doc({ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], Resource: deployer }));
  dev = (await ok(`mutation { r: createAccessKey(userName: "dev") { __typename ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } ... on IamError { code message } } }`)).accessKey;

  await ok(`mutation { r: createOpenIDConnectProvider(url: "${ISSUER}", clientIDList: ["sts.amazonaws.com"]) { __typename ... on IamError { code message } } }`);
  await role(
    "ci",
    doc({ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], Condition: { StringEquals: { "idp.test:aud": "sts.amazonaws.com" } } }),
  );
  // What the session may do depends on the tag its token asserted (aws:PrincipalTag).
  await put("Role", "ci", doc({ Effect: "Allow", Action: "iam:GetRole", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "platform" } } }));
}, 60_000);
afterAll(async () => {
  await s?.close();
  await new Promise((resolve) => issuer?.close(resolve));
});

describe("AssumeRole with @aws-sdk/client-sts", () => {
  test("a user assumes a role: AWS's result, and the credentials sign IAM calls as the session, within its session policy", async () => {
    const before = Date.now();
    const r = await s.sts(dev).send(
      new AssumeRoleCommand({
        RoleArn: deployer,
        RoleSessionName: "sdk-session",
        DurationSeconds: 900,
        Policy: doc({ Effect: "Allow", Action: "iam:GetUser", Resource: "*" }),
        Tags: [{ Key: "team", Value: "blue" }],
        TransitiveTagKeys: ["team"],
        SourceIdentity: "dev-laptop",
      }),
    );
    expect(r.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(r.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(r.Credentials?.SessionToken?.length).toBeGreaterThan(20);
    // The XML timestamp is to the second.
    expect(r.Credentials!.Expiration!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(r.Credentials!.Expiration!.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(r.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/deployer/sdk-session`);
    expect(r.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:sdk-session$/);
    expect(r.PackedPolicySize).toBeGreaterThan(0);
    expect(r.PackedPolicySize).toBeLessThanOrEqual(100);
    expect(r.SourceIdentity).toBe("dev-laptop");

    const session = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    expect((await s.sts(session).send(new GetCallerIdentityCommand({}))).Arn).toBe(r.AssumedRoleUser?.Arn);
    expect((await s.iam(session).send(new GetUserCommand({ UserName: "dev" }))).User?.UserName).toBe("dev");
    // The role allows ListUsers; the session policy does not.
    expect(await failure(s.iam(session).send(new ListUsersCommand({})))).toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining(`arn:aws:sts::${account}:assumed-role/deployer/sdk-session is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${account}:user/ because no session policy allows the iam:ListUsers action`),
    });
    // Recorded as a session, not an event.
    const listed = await s.live.request(`{ roleSessions(roleArn: "${deployer}") { sessionName via issuedBy sourceIdentity tags { key value } } }`);
    expect(listed.data.roleSessions).toContainEqual({ sessionName: "sdk-session", via: "AssumeRole", issuedBy: `arn:aws:iam::${account}:user/dev`, sourceIdentity: "dev-laptop", tags: [{ key: "team", value: "blue" }] });
  });

  test("AWS's errors: AccessDenied in AWS's words, ValidationError, PackedPolicyTooLarge, root refused", async () => {
    expect(await failure(s.sts(dev).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ci`, RoleSessionName: "x1" })))).toEqual({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${account}:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/ci`,
      status: 403,
    });
    expect(await failure(s.sts(dev).send(new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: "x1", DurationSeconds: 100 })))).toEqual({
      name: "ValidationError",
      message: "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      status: 400,
    });
    expect((await failure(s.sts(dev).send(new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: "bad name!" })))).name).toBe("ValidationError");
    // Incompressible tags: the packed size is over the limit. The wire code is PackedPolicyTooLarge;
    // the SDK names its modeled exception (as against AWS) PackedPolicyTooLargeException.
    const tags = Array.from({ length: 40 }, (_, i) => ({ Key: `k${i}`, Value: randomBytes(180).toString("base64").replace(/[^A-Za-z0-9]/g, "x") }));
    expect(await failure(s.sts(dev).send(new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: "x2", Tags: tags })))).toMatchObject({
      name: "PackedPolicyTooLargeException",
      message: expect.stringMatching(/^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/),
      status: 400,
    });
    expect(await failure(s.sts().send(new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: "x3" })))).toMatchObject({ name: "AccessDenied", message: "Roles may not be assumed by root accounts." });
  });
});

describe("AssumeRoleWithWebIdentity with @aws-sdk/client-sts, unsigned", () => {
  test("a token from the provider gets AWS's result; its tags claim becomes the session's aws:PrincipalTag", async () => {
    const claims = { "https://aws.amazon.com/tags": { principal_tags: { team: ["platform"] }, transitive_tag_keys: ["team"] } };
    const r = await unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ci, RoleSessionName: "build-7", WebIdentityToken: await token(claims) }));
    expect(r.SubjectFromWebIdentityToken).toBe("repo:acme/api:ref:refs/heads/main");
    expect(r.Audience).toBe("sts.amazonaws.com");
    expect(r.Provider).toBe(ISSUER);
    expect(r.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/ci/build-7`);
    expect(r.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(r.PackedPolicySize).toBeGreaterThan(0);
    const session = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    // The role's policy allows GetRole only to sessions tagged team=platform: the token's tag.
    expect((await s.iam(session).send(new GetRoleCommand({ RoleName: "ci" }))).Role?.Arn).toBe(ci);

    const untagged = await unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ci, RoleSessionName: "build-8", WebIdentityToken: await token() }));
    const plain = { accessKeyId: untagged.Credentials!.AccessKeyId!, secretAccessKey: untagged.Credentials!.SecretAccessKey!, sessionToken: untagged.Credentials!.SessionToken! };
    expect((await failure(s.iam(plain).send(new GetRoleCommand({ RoleName: "ci" })))).name).toBe("AccessDenied");
  });

  test("bad tokens get AWS's errors over the wire", async () => {
    const wrongAudience = await failure(unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ci, RoleSessionName: "b1", WebIdentityToken: await token({}, { aud: "other" }) })));
    expect(wrongAudience).toMatchObject({ message: "Incorrect token audience", status: 400 });
    expect(wrongAudience.name).toBe("InvalidIdentityTokenException"); // wire code InvalidIdentityToken
    const expired = await failure(unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ci, RoleSessionName: "b2", WebIdentityToken: await token({}, { exp: Math.floor(Date.now() / 1000) - 60 }) })));
    expect(expired).toMatchObject({ name: "ExpiredTokenException", status: 400 });
    // A tags claim the trust policy does not allow to be set is refused (deployer's trust names no provider at all).
    expect((await failure(unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: deployer, RoleSessionName: "b3", WebIdentityToken: await token() })))).name).toBe("AccessDenied");
    const malformed = await failure(unsignedSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ci, RoleSessionName: "b4", WebIdentityToken: await token({ "https://aws.amazon.com/tags": { principal_tags: { team: 3 } } }) })));
    expect(malformed).toMatchObject({ name: "InvalidIdentityTokenException", message: "The principal_tags value of team in the web identity token is malformed." });
  });

  test("unsigned, only AssumeRoleWithWebIdentity is answered", async () => {
    const response = await fetch(s.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Action=GetCallerIdentity&Version=2011-06-15` });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<Code>MissingAuthenticationToken</Code>");
    const assume = await fetch(s.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(deployer)}&RoleSessionName=anon` });
    expect(await assume.text()).toContain("<Code>MissingAuthenticationToken</Code>");
  });
});

const awsCli = await run("aws", ["--version"], { timeout: 30_000 }).then(() => true, () => false);
if (!awsCli) {
  if (process.env.CI === "true") throw new Error("the AWS CLI is required in CI (.ci/run installs awscli)");
  console.warn("\n!!! the AWS CLI (`aws`) is not installed: its STS tests are SKIPPED (apt-get install -y awscli)\n");
}

describe.skipIf(!awsCli)("the AWS CLI", () => {
  const aws = async (args: string[], credentials?: Credentials) => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
      AWS_MAX_ATTEMPTS: "1",
      ...(credentials ? { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey } : {}),
      ...(credentials?.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
    const { stdout } = await run("aws", ["--endpoint-url", s.endpoint, "--output", "json", ...args], { env, timeout: 60_000 });
    return JSON.parse(stdout);
  };

  test("aws sts assume-role, then aws iam with the session's credentials (AWS_SESSION_TOKEN)", async () => {
    const r = await aws(["sts", "assume-role", "--role-arn", deployer, "--role-session-name", "cli-session", "--duration-seconds", "900"], dev);
    expect(r.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${account}:assumed-role/deployer/cli-session`);
    expect(r.Credentials.AccessKeyId).toMatch(/^ASIA/);
    const session = { accessKeyId: r.Credentials.AccessKeyId, secretAccessKey: r.Credentials.SecretAccessKey, sessionToken: r.Credentials.SessionToken };
    expect((await aws(["sts", "get-caller-identity"], session)).Arn).toBe(r.AssumedRoleUser.Arn);
    expect((await aws(["iam", "list-users"], session)).Users.map((u: any) => u.UserName)).toContain("dev");
    const refused = await aws(["iam", "create-user", "--user-name", "nope"], session).then(() => "created", (e: { stderr?: string }) => e.stderr ?? "");
    expect(refused).toContain("AccessDenied");
  });

  test("aws sts assume-role-with-web-identity, with no credentials", async () => {
    const r = await aws(["sts", "assume-role-with-web-identity", "--role-arn", ci, "--role-session-name", "cli-build", "--web-identity-token", await token()]);
    expect(r).toMatchObject({ SubjectFromWebIdentityToken: "repo:acme/api:ref:refs/heads/main", Audience: "sts.amazonaws.com", Provider: ISSUER, AssumedRoleUser: { Arn: `arn:aws:sts::${account}:assumed-role/ci/cli-build` } });
  });
});

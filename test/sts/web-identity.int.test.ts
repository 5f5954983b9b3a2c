import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, policyOf } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { fetchClient, ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";

// Federation with OpenID Connect (issue 18): a local issuer (node:http serving its discovery
// document and JWKS, signing tokens with generated keys) stands in for a CI system. Its https
// URL is routed to the local server by the injected fetch; discovery, JWKS caching and key
// rotation, signature and claim checks are the real ones. The clock is injected.

const ACCOUNT = "123456789012";
const ISSUER = "https://idp.test";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.test`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ci`;
const result = `__typename ... on IamError { code message }`;
const assume = `mutation ($t: String!, $s: String!) { r: assumeRoleWithWebIdentity(roleArn: "${ROLE}", roleSessionName: $s, webIdentityToken: $t) {
  ${result} ... on AssumeRoleWithWebIdentityResponse { subjectFromWebIdentityToken audience provider credentials { accessKeyId secretAccessKey sessionToken } assumedRoleUser { arn } } } }`;

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}
async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

describe.each(backends)("AssumeRoleWithWebIdentity on $name", (backend) => {
  let t: TestApp;
  let anonymous: GraphQLClient;
  let server: Server;
  let published: Key[] = [];
  let k1: Key, k2: Key, forger: Key;
  let clock = Date.parse("2026-06-01T12:00:00.000Z");
  const nowS = () => Math.floor(clock / 1000);

  const token = (key: Key, claims: { sub?: string; aud?: string; iss?: string; exp?: number; nbf?: number } = {}) => {
    const jwt = new SignJWT({ ...(claims.nbf !== undefined ? { nbf: claims.nbf } : {}) })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(claims.iss ?? ISSUER)
      .setSubject(claims.sub ?? "repo:acme/api:ref:refs/heads/main")
      .setAudience(claims.aud ?? "sts.amazonaws.com")
      .setIssuedAt(nowS())
      .setExpirationTime(claims.exp ?? nowS() + 600);
    return jwt.sign(key.privateKey);
  };
  const attempt = async (jwt: string, session = "build-1") => (await anonymous.request(assume, { t: jwt, s: session })).data?.r as Record<string, any>;
  const refusal = async (jwt: string) => {
    const r = await attempt(jwt);
    return [r.code, r.message];
  };
  const sessionCount = () => t.db.prisma.roleSession.count({ where: { roleArn: ROLE } });

  beforeAll(async () => {
    [k1, k2, forger] = await Promise.all([newKey("k1"), newKey("k2"), newKey("k1")]);
    published = [k1];
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }));
      else if (req.url === "/jwks") res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
      else res.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const routed: typeof fetch = (input, init) => fetch(String(input).replace(ISSUER, local), init);
    t = await startTestApp(backend, { now: () => new Date(clock), oidc: { fetch: routed, cooldownMs: 0 } });
    anonymous = fetchClient(t.app.yoga, "Anonymous");

    const created = ok(await t.client.request(`mutation { r: createOpenIDConnectProvider(url: "${ISSUER}", clientIDList: ["sts.amazonaws.com"]) { ${result} ... on OpenIDConnectProviderPayload { openIDConnectProviderArn } } }`), "r");
    expect(created.openIDConnectProviderArn).toBe(PROVIDER);
    const trust = policyOf({
      Effect: "Allow",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "idp.test:aud": "sts.amazonaws.com" }, StringLike: { "idp.test:sub": "repo:acme/*:ref:refs/heads/main" } },
    });
    ok(await t.client.request(`mutation ($d: String!) { r: createRole(roleName: "ci", assumeRolePolicyDocument: $d) { ${result} } }`, { d: JSON.stringify(trust) }), "r");
    ok(await t.client.request(`mutation ($d: String!) { r: putRolePolicy(roleName: "ci", policyName: "p", policyDocument: $d) { ${result} } }`, { d: JSON.stringify(policyOf(allow("iam:GetRole"))) }), "r");
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test("provider operations follow AWS's rules and are events", async () => {
    const before = await t.eventCount();
    const op = async (q: string) => (await t.client.request(`mutation { r: ${q} { ${result} } }`)).data?.r as Record<string, any>;
    expect(await op(`createOpenIDConnectProvider(url: "${ISSUER}")`)).toMatchObject({ code: "EntityAlreadyExists", message: `Provider with url ${ISSUER} already exists.` });
    expect((await op(`createOpenIDConnectProvider(url: "http://plain.test")`)).code).toBe("InvalidInput");
    expect((await op(`updateOpenIDConnectProviderThumbprint(openIDConnectProviderArn: "${PROVIDER}", thumbprintList: ["nothex"])`)).code).toBe("InvalidInput");
    expect((await op(`addClientIDToOpenIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}/nope", clientID: "x")`)).code).toBe("NoSuchEntity");
    expect(await t.eventCount()).toBe(before);
    expect((await op(`addClientIDToOpenIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}", clientID: "other")`)).__typename).toBe("PositionPayload");
    // Idempotent, as AWS documents: adding again appends nothing.
    expect((await op(`addClientIDToOpenIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}", clientID: "other")`)).__typename).toBe("PositionPayload");
    expect(await t.eventCount()).toBe(before + 1);
    ok(await t.client.request(`mutation { r: updateOpenIDConnectProviderThumbprint(openIDConnectProviderArn: "${PROVIDER}", thumbprintList: ["${"a".repeat(40)}"]) { ${result} } }`), "r");
    const got = await t.client.request(`{ p: openIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}") { url clientIDList thumbprintList } ps: openIDConnectProviders { arn } }`);
    expect(got.data).toEqual({ p: { url: ISSUER, clientIDList: ["sts.amazonaws.com", "other"], thumbprintList: ["a".repeat(40)] }, ps: [{ arn: PROVIDER }] });
    ok(await t.client.request(`mutation { r: removeClientIDFromOpenIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}", clientID: "other") { ${result} } }`), "r");
  });

  test("a token from the provider, admitted by the trust policy, gets a session that works as the role", async () => {
    const r = await attempt(await token(k1), "build-1");
    expect(r).toMatchObject({ __typename: "AssumeRoleWithWebIdentityResponse", subjectFromWebIdentityToken: "repo:acme/api:ref:refs/heads/main", audience: "sts.amazonaws.com", provider: ISSUER });
    const { accessKeyId, secretAccessKey, sessionToken } = r.credentials;
    const session = t.clientWith(accessKeyId, secretAccessKey);
    const headers = { "x-amz-security-token": sessionToken };
    expect((await session.request(`{ callerIdentity { arn } }`, {}, headers)).data).toEqual({ callerIdentity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build-1` } });
    expect((await session.request(`{ role(roleName: "ci") { roleName } }`, {}, headers)).data).toEqual({ role: { roleName: "ci" } });
    expect((await session.request(`{ user(userName: "x") { userName } }`, {}, headers)).errors?.[0]?.extensions?.code).toBe("AccessDenied");
    const listed = ok(await t.client.request(`{ r: roleSessions(roleArn: "${ROLE}") { via issuedBy providerArn sessionName } }`), "r");
    expect(listed[0]).toEqual({ via: "AssumeRoleWithWebIdentity", issuedBy: "repo:acme/api:ref:refs/heads/main", providerArn: PROVIDER, sessionName: "build-1" });
  });

  test("bad tokens are refused with AWS's codes, and nothing is issued", async () => {
    const before = await sessionCount();
    expect(await refusal(await token(k1, { aud: "someone-else" }))).toEqual(["InvalidIdentityToken", "Incorrect token audience"]);
    const expired = await refusal(await token(k1, { exp: nowS() - 1 }));
    expect(expired[0]).toBe("ExpiredTokenException");
    expect(expired[1]).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
    expect((await refusal(await token(k1, { nbf: nowS() + 300 })))[0]).toBe("IDPRejectedClaim");
    // Signed by another key that claims the provider's key id.
    expect((await refusal(await token(forger)))[0]).toBe("InvalidIdentityToken");
    expect(await refusal(await token(k1, { iss: "https://other.test" }))).toEqual(["InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://other.test"]);
    expect((await refusal("not.a.jwt"))[0]).toBe("InvalidIdentityToken");
    // A valid token whose subject the trust policy does not admit.
    expect(await refusal(await token(k1, { sub: "repo:evil/api:ref:refs/heads/main" }))).toEqual(["AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"]);
    expect(await refusal(await token(k1, { sub: "repo:acme/api:ref:refs/heads/dev" }))).toEqual(["AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"]);
    expect(await sessionCount()).toBe(before);
  });

  test("key rotation: a token with the new key id is verified after refetching the JWKS; one with the retired key is refused", async () => {
    published = [k2];
    expect((await attempt(await token(k2), "rotated")).__typename).toBe("AssumeRoleWithWebIdentityResponse");
    expect((await refusal(await token(k1)))[0]).toBe("InvalidIdentityToken");
  });

  test("anonymous requests reach nothing else; a deleted provider's tokens are refused", async () => {
    expect((await anonymous.request(`{ role(roleName: "ci") { roleName } }`)).errors?.[0]?.extensions?.code).toBe("AccessDenied");
    expect((await anonymous.request(`{ callerIdentity { arn } }`)).errors?.[0]?.extensions?.code).toBe("MissingAuthenticationToken");
    expect((await anonymous.request(`mutation { r: createGroup(groupName: "anon") { ${result} } }`)).data?.r.code).toBe("AccessDenied");
    ok(await t.client.request(`mutation { r: deleteOpenIDConnectProvider(openIDConnectProviderArn: "${PROVIDER}") { ${result} } }`), "r");
    expect(await refusal(await token(k2))).toEqual(["InvalidIdentityToken", `No OpenIDConnect provider found in your account for ${ISSUER}`]);
  });
});

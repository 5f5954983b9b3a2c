import { CreateUserCommand, GetUserCommand, NoSuchEntityException } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { testRootKey } from "../support/root-key.js";
import { awsError, signedFetch } from "./signing.js";
import { startAwsServer, type AwsServer } from "./support.js";

// What the server refuses before anything runs: each case with AWS's code and status, and no
// event appended. And the routing: only POST / (form) and GET /?Action= are the Query API.

let s: AwsServer;
beforeAll(async () => {
  s = await startAwsServer();
}, 60_000);
afterAll(async () => s?.close());

const createBody = (name: string) => `Action=CreateUser&Version=2010-05-08&UserName=${name}`;
const head = async () => (await s.live.request(`{ events(last: 1) { edges { node { position } } } }`)).data?.events.edges[0]?.node.position ?? 0;
const userExists = async (name: string) => (await s.live.request(`query ($n: String!) { user(userName: $n) { userName } }`, { n: name })).data.user !== null;

describe("refused signatures change nothing", () => {
  test("a correct signature is accepted (the control case)", async () => {
    const r = await signedFetch(s.endpoint, testRootKey, { body: createBody("control") });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("<UserName>control</UserName>");
  });

  const cases: [string, () => Promise<Response>, number, string, RegExp][] = [
    ["a wrong secret", () => signedFetch(s.endpoint, { ...testRootKey, secretAccessKey: "not-the-secret-0123456789012345" }, { body: createBody("wrongsecret") }), 403, "SignatureDoesNotMatch", /does not match the signature you provided/],
    ["a tampered body", () => signedFetch(s.endpoint, testRootKey, { body: createBody("honest"), sendBody: createBody("tampered") }), 403, "SignatureDoesNotMatch", /does not match/],
    ["a date 20 minutes old", () => signedFetch(s.endpoint, testRootKey, { body: createBody("stale"), signingDate: new Date(Date.now() - 20 * 60_000) }), 403, "SignatureDoesNotMatch", /^Signature expired: \d{8}T\d{6}Z is now earlier than/],
    ["a date 20 minutes ahead", () => signedFetch(s.endpoint, testRootKey, { body: createBody("future"), signingDate: new Date(Date.now() + 20 * 60_000) }), 403, "SignatureDoesNotMatch", /^Signature not yet current/],
    ["an unknown key", () => signedFetch(s.endpoint, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever-secret-0123456789" }, { body: createBody("unknown") }), 403, "InvalidClientTokenId", /security token included in the request is invalid/],
    ["a session token nobody issued", () => signedFetch(s.endpoint, { ...testRootKey, sessionToken: "FwoGZXIvYXdzE-invented" } as never, { body: createBody("session") }), 403, "InvalidClientTokenId", /invalid/],
    ["no signature at all", () => fetch(`${s.endpoint}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: createBody("anonymous") }), 403, "MissingAuthenticationToken", /missing Authentication Token/],
    ["HTTP Basic (accepted on /graphql only)", () => fetch(`${s.endpoint}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: basicAuthorization(testRootKey.accessKeyId, testRootKey.secretAccessKey) }, body: createBody("basic") }), 400, "IncompleteSignature", /only AWS Signature Version 4/],
  ];
  for (const [what, send, status, code, message] of cases) {
    test(`${what}: ${code} (${status}), no event`, async () => {
      const before = await head();
      const refused = await awsError(await send());
      expect(refused).toMatchObject({ status, code });
      expect(refused.message).toMatch(message);
      expect(refused.body).toContain("<Type>Sender</Type>");
      expect(await head()).toBe(before);
    });
  }
  test("none of the refused users exists", async () => {
    for (const name of ["wrongsecret", "tampered", "honest", "stale", "future", "unknown", "session", "anonymous", "basic"]) expect(await userExists(name), name).toBe(false);
    expect(await userExists("control")).toBe(true);
  });
});

describe("routing and protocol", () => {
  test("GET /?Action=… signed in the query string (presigned) is the Query API", async () => {
    const r = await signedFetch(s.endpoint, testRootKey, { method: "GET", presign: true, query: { Action: "GetUser", Version: "2010-05-08", UserName: "control" } });
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/<GetUserResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><GetUserResult><User>.*<UserName>control<\/UserName>/);
  });

  test("an action iamgraph does not implement is InvalidAction (400)", async () => {
    const refused = await awsError(await signedFetch(s.endpoint, testRootKey, { body: "Action=CreateLoginProfile&Version=2010-05-08&UserName=control&Password=x" }));
    expect(refused).toMatchObject({ status: 400, code: "InvalidAction", message: "Could not find operation CreateLoginProfile for version 2010-05-08" });
  });

  test("a missing required parameter is ValidationError", async () => {
    const refused = await awsError(await signedFetch(s.endpoint, testRootKey, { body: "Action=CreateUser&Version=2010-05-08" }));
    expect(refused).toMatchObject({ status: 400, code: "ValidationError" });
    expect(refused.message).toContain("Value null at 'userName' failed to satisfy constraint: Member must not be null");
  });

  test("a plain GET / is not the Query API's (left to whatever serves the root page)", async () => {
    const r = await fetch(`${s.endpoint}/`);
    expect(r.headers.get("content-type") ?? "").not.toContain("text/xml");
    expect(await r.text()).not.toContain("ErrorResponse");
  });

  test("GraphQL requests may be SigV4-signed too (no secret sent)", async () => {
    const r = await signedFetch(`${s.endpoint}`, testRootKey, { path: "/graphql", body: JSON.stringify({ query: "{ callerIdentity { arn } }" }), contentType: "application/json" });
    expect(await r.json()).toEqual({ data: { callerIdentity: { arn: "arn:aws:iam::123456789012:root" } }, extensions: expect.anything() });
    const bad = await signedFetch(`${s.endpoint}`, { ...testRootKey, secretAccessKey: "wrong-wrong-wrong-wrong" }, { path: "/graphql", body: JSON.stringify({ query: "{ callerIdentity { arn } }" }), contentType: "application/json" });
    expect(bad.status).toBe(401);
    expect((await bad.json()).errors[0].extensions.code).toBe("SignatureDoesNotMatch");
  });

  test("the SDK still gets typed errors through all this", async () => {
    await s.iam().send(new CreateUserCommand({ UserName: "typed" }));
    await expect(s.iam().send(new GetUserCommand({ UserName: "nobody" }))).rejects.toBeInstanceOf(NoSuchEntityException);
  });
});

import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";
import { startLiveServer, subscribeWs, type LiveServer } from "../support/live-server.js";
import { testRootKey } from "../support/root-key.js";

// Access keys and authentication (issue 6, part 1): every request carries
// `Authorization: Basic base64(AccessKeyId:SecretAccessKey)`; failures are HTTP 401 with AWS's
// codes and change nothing; secrets are shown once and stored only as scrypt hashes.

const createAccessKey = `mutation ($userName: String) {
  createAccessKey(userName: $userName) {
    __typename
    ... on AccessKeyPayload { position accessKey { accessKeyId secretAccessKey status userName createDate } }
    ... on IamError { code message }
  }
}`;
const updateAccessKey = `mutation ($userName: String, $accessKeyId: String!, $status: AccessKeyStatus!) {
  updateAccessKey(userName: $userName, accessKeyId: $accessKeyId, status: $status) { __typename ... on IamError { code message } }
}`;
const deleteAccessKey = `mutation ($userName: String, $accessKeyId: String!) {
  deleteAccessKey(userName: $userName, accessKeyId: $accessKeyId) { __typename ... on IamError { code message } }
}`;
const whoAmI = `{ callerIdentity { account arn userId } }`;
const createGroup = (name: string) => `mutation { r: createGroup(groupName: "${name}") { __typename ... on IamError { code message } } }`;
const allowAll = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

describe.each(backends)("authentication on $name", (backend) => {
  let t: TestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    // Everything logged at debug level is kept, to prove no secret reaches the logs.
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
    t = await startTestApp(backend, { logger: pino({ level: "debug" }, sink) });
  });
  afterAll(() => t?.close());

  /** A user with an allow-everything inline policy and one access key. */
  async function userWithKey(userName: string) {
    ok(await t.client.request(`mutation { r: createUser(userName: "${userName}") { __typename ... on IamError { code message } } }`), "r");
    ok(
      await t.client.request(`mutation ($d: String!) { r: putUserPolicy(userName: "${userName}", policyName: "all", policyDocument: $d) { __typename ... on IamError { code message } } }`, { d: allowAll }),
      "r",
    );
    const created = ok(await t.client.request(createAccessKey, { userName }), "createAccessKey");
    return created.accessKey as { accessKeyId: string; secretAccessKey: string; status: string; userName: string };
  }

  test("no credentials, a malformed header, a forged key id and a wrong secret: 401 with AWS's code, nothing written", async () => {
    const before = await t.eventCount();
    const cases: [Record<string, string>, string, string][] = [
      [{}, "MissingAuthenticationToken", "Request is missing Authentication Token"],
      [{ authorization: "Bearer abc" }, "IncompleteSignature", "The Authorization header must be `Basic <base64 of AccessKeyId:SecretAccessKey>`."],
      [{ authorization: "Basic !!!" }, "IncompleteSignature", "The Authorization header must be `Basic <base64 of AccessKeyId:SecretAccessKey>`."],
      [{ authorization: `Basic ${Buffer.from("no-colon").toString("base64")}` }, "IncompleteSignature", "The Authorization header must be `Basic <base64 of AccessKeyId:SecretAccessKey>`."],
      [{ authorization: basicAuthorization("AKIAFORGEDFORGEDFORG", "x".repeat(40)) }, "InvalidClientTokenId", "The security token included in the request is invalid."],
      [
        { authorization: basicAuthorization(testRootKey.accessKeyId, "not-the-root-secret-at-all") },
        "SignatureDoesNotMatch",
        "The secret access key included in the request does not match the access key id. Check your secret access key.",
      ],
    ];
    for (const [headers, code, message] of cases) {
      const response = await t.anonymousClient().post(JSON.stringify({ query: createGroup("Intruders") }), headers);
      expect(response.status, code).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="iamgraph", charset="UTF-8"');
      expect(await response.json()).toEqual({ errors: [{ message, extensions: { code } }] });
    }
    expect(await t.eventCount()).toBe(before);
    // Not even validation runs for an anonymous client: the schema stays private.
    const probe = await t.anonymousClient().request(`{ noSuchField }`);
    expect(probe.status).toBe(401);
    expect(JSON.stringify(probe)).not.toContain("noSuchField");
  });

  test("root's key from configuration: root's identity, every event records root and its key", async () => {
    const me = await t.client.request(whoAmI);
    expect(me.data.callerIdentity).toEqual({ account: "123456789012", arn: "arn:aws:iam::123456789012:root", userId: "123456789012" });
  });

  test("CreateAccessKey: an AKIA id and a 40-character secret shown once; only an scrypt hash is stored; the key authenticates as its user", async () => {
    const key = await userWithKey("auth-alice");
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.secretAccessKey).toHaveLength(40);
    expect(key).toMatchObject({ status: "Active", userName: "auth-alice" });

    const stored = await t.db.prisma.accessKeyCredential.findUniqueOrThrow({ where: { accessKeyId: key.accessKeyId } });
    expect(stored.secretHash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored.secretHash).not.toContain(key.secretAccessKey);

    const alice = t.clientWith(key.accessKeyId, key.secretAccessKey);
    const me = await alice.request(whoAmI);
    const user = await t.db.prisma.user.findFirstOrThrow({ where: { userName: "auth-alice" } });
    expect(me.data.callerIdentity).toEqual({ account: "123456789012", arn: user.arn, userId: user.id });

    // What alice does is recorded as alice's, with the key she used.
    const result = await alice.request(`mutation { r: createGroup(groupName: "AliceGroup") { __typename ... on GroupPayload { position } ... on IamError { code message } } }`);
    const position = ok(result, "r").position;
    const event = await t.db.prisma.event.findFirstOrThrow({ where: { position: BigInt(position) } });
    expect(event.metadata).toMatchObject({ actor: user.arn, accessKeyId: key.accessKeyId });

    // ListAccessKeys shows metadata, never the secret.
    const listed = await t.client.request(`{ accessKeys(userName: "auth-alice") { accessKeyId status userName } user(userName: "auth-alice") { accessKeys { accessKeyId } } }`);
    expect(listed.data).toEqual({
      accessKeys: [{ accessKeyId: key.accessKeyId, status: "Active", userName: "auth-alice" }],
      user: { accessKeys: [{ accessKeyId: key.accessKeyId }] },
    });
  });

  test("the secret never reaches the event log or the logs", async () => {
    const key = await userWithKey("auth-secretive");
    await t.clientWith(key.accessKeyId, key.secretAccessKey).request(whoAmI);
    await t.clientWith(key.accessKeyId, "wrong-secret-wrong-secret-wrong-secret!!").request(whoAmI);
    const hash = (await t.db.prisma.accessKeyCredential.findUniqueOrThrow({ where: { accessKeyId: key.accessKeyId } })).secretHash;
    const log = (await t.db.prisma.event.findMany()).map((e) => JSON.stringify([e.data, e.metadata])).join("\n");
    expect(log).toContain(key.accessKeyId); // the id is an audit fact…
    expect(log).not.toContain(key.secretAccessKey); // …the secret is not,
    expect(log).not.toContain(hash.split("$")[5]); // nor its hash.
    expect(logLines.length).toBeGreaterThan(0);
    const logged = logLines.join("");
    expect(logged).not.toContain(key.secretAccessKey);
    expect(logged).not.toContain(testRootKey.secretAccessKey);
    expect(logged).not.toContain(Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString("base64"));
  });

  test("a proven secret is verified from memory afterwards; a wrong one is still refused", async () => {
    const key = await userWithKey("auth-cached");
    const client = t.clientWith(key.accessKeyId, key.secretAccessKey);
    const before = t.app.authenticator.stats.verifications;
    expect((await client.request(whoAmI)).status).toBe(200);
    expect(t.app.authenticator.stats.verifications).toBe(before + 1);
    for (let i = 0; i < 5; i++) expect((await client.request(whoAmI)).status).toBe(200);
    expect(t.app.authenticator.stats.verifications).toBe(before + 1);
    const wrong = await t.clientWith(key.accessKeyId, key.secretAccessKey.slice(0, -1) + (key.secretAccessKey.endsWith("A") ? "B" : "A")).request(whoAmI);
    expect(wrong).toMatchObject({ status: 401, errors: [{ extensions: { code: "SignatureDoesNotMatch" } }] });
  });

  test("a deactivated key stops working at once, works again when reactivated; a deleted key is gone with its hash", async () => {
    const key = await userWithKey("auth-bob");
    const bob = t.clientWith(key.accessKeyId, key.secretAccessKey);
    expect((await bob.request(whoAmI)).status).toBe(200);

    ok(await t.client.request(updateAccessKey, { userName: "auth-bob", accessKeyId: key.accessKeyId, status: "Inactive" }), "updateAccessKey");
    expect(await bob.request(whoAmI)).toMatchObject({ status: 401, errors: [{ extensions: { code: "InvalidClientTokenId" } }] });
    const listed = await t.client.request(`{ accessKeys(userName: "auth-bob") { status } }`);
    expect(listed.data.accessKeys).toEqual([{ status: "Inactive" }]);

    ok(await t.client.request(updateAccessKey, { userName: "auth-bob", accessKeyId: key.accessKeyId, status: "Active" }), "updateAccessKey");
    expect((await bob.request(whoAmI)).status).toBe(200);

    // A user may delete their own key (userName omitted means "mine").
    ok(await bob.request(deleteAccessKey, { accessKeyId: key.accessKeyId }), "deleteAccessKey");
    expect(await bob.request(whoAmI)).toMatchObject({ status: 401, errors: [{ extensions: { code: "InvalidClientTokenId" } }] });
    expect(await t.db.prisma.accessKeyCredential.findUnique({ where: { accessKeyId: key.accessKeyId } })).toBeNull();
    const again = await t.client.request(deleteAccessKey, { userName: "auth-bob", accessKeyId: key.accessKeyId });
    expect(again.data.deleteAccessKey).toEqual({ __typename: "IamError", code: "NoSuchEntity", message: `The Access Key with id ${key.accessKeyId} cannot be found.` });
  });

  test("two keys per user; DeleteUser refuses while keys exist; refusals write nothing", async () => {
    const first = await userWithKey("auth-carol");
    const second = ok(await t.client.request(createAccessKey, { userName: "auth-carol" }), "createAccessKey");
    expect(second.accessKey.accessKeyId).not.toBe(first.accessKeyId);
    const before = await t.eventCount();
    const hashes = await t.db.prisma.accessKeyCredential.count();
    const third = await t.client.request(createAccessKey, { userName: "auth-carol" });
    expect(third.data.createAccessKey).toEqual({ __typename: "IamError", code: "LimitExceeded", message: "Cannot exceed quota for AccessKeysPerUser: 2" });
    const missing = await t.client.request(createAccessKey, { userName: "auth-nobody" });
    expect(missing.data.createAccessKey).toEqual({ __typename: "IamError", code: "NoSuchEntity", message: "The user with name auth-nobody cannot be found." });
    const rootOwn = await t.client.request(createAccessKey, {});
    expect(rootOwn.data.createAccessKey).toMatchObject({ __typename: "IamError", code: "InvalidInput" });
    ok(await t.client.request(`mutation { r: deleteUserPolicy(userName: "auth-carol", policyName: "all") { __typename ... on IamError { code message } } }`), "r");
    const before2 = await t.eventCount();
    const deleteUser = await t.client.request(`mutation { r: deleteUser(userName: "auth-carol") { __typename ... on IamError { code message } } }`);
    expect(deleteUser.data.r).toEqual({ __typename: "IamError", code: "DeleteConflict", message: "Cannot delete entity, must delete access keys first." });
    expect(await t.eventCount()).toBe(before2);
    expect(before2).toBe(before + 1); // only the deleteUserPolicy
    expect(await t.db.prisma.accessKeyCredential.count()).toBe(hashes); // a refused CreateAccessKey stores no hash
  });

  test("GetAccessKeyLastUsed: N/A before the first use, the time of use after", async () => {
    const key = await userWithKey("auth-dave");
    const lastUsed = `query ($id: String!) { accessKeyLastUsed(accessKeyId: $id) { userName lastUsedDate serviceName } }`;
    const before = await t.client.request(lastUsed, { id: key.accessKeyId });
    expect(before.data.accessKeyLastUsed).toEqual({ userName: "auth-dave", lastUsedDate: null, serviceName: "N/A" });
    const at = Date.now();
    await t.clientWith(key.accessKeyId, key.secretAccessKey).request(whoAmI);
    let after;
    for (let i = 0; i < 50; i++) {
      after = (await t.client.request(lastUsed, { id: key.accessKeyId })).data.accessKeyLastUsed;
      if (after.lastUsedDate) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(after.serviceName).toBe("iam");
    expect(new Date(after.lastUsedDate).getTime()).toBeGreaterThanOrEqual(at - 1000);
  });
});

describe.each(backends)("WebSocket authentication on $name", (backend) => {
  let server: LiveServer;
  beforeAll(async () => {
    server = await startLiveServer(backend);
  });
  afterAll(() => server?.close());

  test("a connection without valid credentials is closed with 4401 and the AWS code; a valid one subscribes", async () => {
    for (const [authorization, code] of [
      [null, "MissingAuthenticationToken"],
      [basicAuthorization(testRootKey.accessKeyId, "wrong-wrong-wrong-wrong-wrong"), "SignatureDoesNotMatch"],
      [basicAuthorization("AKIAFORGEDFORGEDFORG", "x".repeat(40)), "InvalidClientTokenId"],
    ] as const) {
      const client = server.wsClient(authorization);
      const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
        client.on("closed", (event) => resolve(event as { code: number; reason: string }));
        client.subscribe({ query: `subscription { events { position } }` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      });
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(new RegExp(`^${code}: `));
    }
    const tail = await subscribeWs(server.wsClient(), `subscription { events { type } }`);
    await server.mutate("createGroup", { groupName: "WsGroup" }, "GroupPayload");
    expect(await tail.waitFor(1)).toEqual([{ type: "GroupCreated" }]);
    tail.stop();
  });
});

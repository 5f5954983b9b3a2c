import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, createCaller, policyOf, type TestCaller } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";

// STS AssumeRole end to end over GraphQL (issue 18): a user assumes a role, works as the session
// — allowed what the role allows intersected with the session policy — until the session
// expires or is revoked. The clock is injected: expiry is reached by moving it, not by waiting.

const ACCOUNT = "123456789012";
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
const result = `__typename ... on IamError { code message }`;
const assumeRole = `mutation ($r: String!, $s: String!, $d: Int, $p: String, $pa: [String!], $tags: [TagInput!], $tt: [String!], $x: String) {
  r: assumeRole(roleArn: $r, roleSessionName: $s, durationSeconds: $d, policy: $p, policyArns: $pa, tags: $tags, transitiveTagKeys: $tt, externalId: $x) {
    ${result}
    ... on AssumeRoleResponse { packedPolicySize credentials { accessKeyId secretAccessKey sessionToken expiration } assumedRoleUser { arn assumedRoleId } }
  } }`;
const createRole = `mutation ($n: String!, $d: String!, $m: Int, $tags: [TagInput!]) { r: createRole(roleName: $n, assumeRolePolicyDocument: $d, maxSessionDuration: $m, tags: $tags) { ${result} ... on RolePayload { role { arn roleId } } } }`;
const putRolePolicy = `mutation ($n: String!, $p: String!, $d: String!) { r: putRolePolicy(roleName: $n, policyName: $p, policyDocument: $d) { ${result} } }`;
const getUser = `query { user(userName: "target") { userName } }`;
const listUsers = `query { users(first: 5) { edges { node { userName } } } }`;

interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  arn: string;
  assumedRoleId: string;
  client: GraphQLClient;
}

describe.each(backends)("AssumeRole on $name", (backend) => {
  let t: TestApp;
  let clock = Date.parse("2026-06-01T10:00:00.000Z");
  const advance = (ms: number) => (clock += ms);
  let alice: TestCaller;
  let deployerId: string;
  const deployer = arn("role/deployer");

  async function assume(client: GraphQLClient, vars: Record<string, unknown>) {
    return (await client.request(assumeRole, vars)).data?.r as Record<string, any>;
  }
  async function session(client: GraphQLClient, vars: Record<string, unknown>): Promise<Session> {
    const r = await assume(client, vars);
    if (r.__typename !== "AssumeRoleResponse") throw new Error(`assumeRole refused: ${r.code}: ${r.message}`);
    const { credentials, assumedRoleUser } = r;
    const signed = t.clientWith(credentials.accessKeyId, credentials.secretAccessKey);
    const client2: GraphQLClient = { ...signed, request: (q, v, h) => signed.request(q, v, { "x-amz-security-token": credentials.sessionToken, ...h }) };
    return { ...credentials, ...assumedRoleUser, client: client2 };
  }
  const queryError = (r: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }) => ({ code: r.errors?.[0]?.extensions?.code, message: r.errors?.[0]?.message });

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => new Date(clock) });
    ok(await t.client.request(`mutation { r: createUser(userName: "target") { ${result} } }`), "r");
    const trust = policyOf({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: ["sts:AssumeRole", "sts:TagSession"] });
    const created = ok(await t.client.request(createRole, { n: "deployer", d: JSON.stringify(trust), m: 7200, tags: [{ key: "team", value: "dev" }] }), "r");
    deployerId = created.role.roleId;
    ok(
      await t.client.request(putRolePolicy, {
        n: "deployer",
        p: "work",
        d: JSON.stringify(policyOf(allow(["iam:GetUser", "iam:ListUsers", "sts:AssumeRole"]), allow("iam:CreateGroup", "*", { StringEquals: { "aws:PrincipalTag/team": "ops" } }))),
      }),
      "r",
    );
    alice = await createCaller(t, { userName: "alice", policies: [policyOf(allow(["sts:AssumeRole", "sts:TagSession"], deployer))] });
  });
  afterAll(() => t?.close());

  test("a user assumes a role and works as the session: the role's permissions ∩ the session policy", async () => {
    const events = await t.eventCount();
    const s = await session(alice.client, { r: deployer, s: "s1", p: JSON.stringify(policyOf(allow("iam:GetUser"))) });
    expect(s.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(s.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1`);
    expect(s.assumedRoleId).toBe(`${deployerId}:s1`);
    expect(s.expiration).toBe(new Date(clock + 3600_000).toISOString());
    // Assuming a role is not an IAM change: nothing was appended.
    expect(await t.eventCount()).toBe(events);

    expect((await s.client.request(`{ callerIdentity { arn userId account } }`)).data).toEqual({ callerIdentity: { arn: s.arn, userId: `${deployerId}:s1`, account: ACCOUNT } });
    expect((await s.client.request(getUser)).data).toEqual({ user: { userName: "target" } });
    // The role allows ListUsers; the session policy does not.
    expect(queryError(await s.client.request(listUsers))).toEqual({
      code: "AccessDenied",
      message: `User: ${s.arn} is not authorized to perform: iam:ListUsers on resource: ${arn("user/")} because no session policy allows the iam:ListUsers action`,
    });
    // Without a session policy the role's own permissions apply, and nothing beyond them.
    const wide = await session(alice.client, { r: deployer, s: "wide" });
    expect((await wide.client.request(listUsers)).errors).toBeUndefined();
    expect(queryError(await wide.client.request(`query { groups(first: 5) { edges { node { groupName } } } }`)).code).toBe("AccessDenied");
  });

  test("temporary credentials need their session token, and stop at their expiration", async () => {
    const s = await session(alice.client, { r: deployer, s: "short", d: 900 });
    const bare = t.clientWith(s.accessKeyId, s.secretAccessKey);
    const noToken = await bare.request(getUser);
    expect([noToken.status, queryError(noToken).code]).toEqual([401, "InvalidClientTokenId"]);
    const wrongToken = await bare.request(getUser, {}, { "x-amz-security-token": s.sessionToken.replace(/^./, (c) => (c === "A" ? "B" : "A")) });
    expect([wrongToken.status, queryError(wrongToken).code]).toEqual([401, "InvalidClientTokenId"]);
    const wrongSecret = await t.clientWith(s.accessKeyId, "x".repeat(40)).request(getUser, {}, { "x-amz-security-token": s.sessionToken });
    expect(queryError(wrongSecret).code).toBe("SignatureDoesNotMatch");
    expect((await s.client.request(getUser)).errors).toBeUndefined();
    advance(899_000);
    expect((await s.client.request(getUser)).errors).toBeUndefined();
    advance(1_000);
    const expired = await s.client.request(getUser);
    expect([expired.status, queryError(expired)]).toEqual([401, { code: "ExpiredToken", message: "The security token included in the request is expired" }]);
  });

  test("who may assume: the trust policy names the account, so the caller's identity policy must allow it; root never may", async () => {
    const bob = await createCaller(t, { userName: "bob" });
    expect(await assume(bob.client, { r: deployer, s: "bs" })).toEqual({
      __typename: "IamError",
      code: "AccessDenied",
      message: `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${deployer}`,
    });
    // A role that does not exist is refused in the same words.
    expect((await assume(alice.client, { r: arn("role/nope"), s: "ns" })).message).toBe(`User: ${alice.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn("role/nope")}`);
    expect(await assume(t.client, { r: deployer, s: "root" })).toEqual({ __typename: "IamError", code: "AccessDenied", message: "Roles may not be assumed by root accounts." });
  });

  test("a trust policy naming the user directly needs no identity policy; sts:ExternalId is checked", async () => {
    const carol = await createCaller(t, { userName: "carol" });
    const trust = policyOf({ Effect: "Allow", Principal: { AWS: carol.arn }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "ext-123" } } });
    ok(await t.client.request(createRole, { n: "vendor", d: JSON.stringify(trust) }), "r");
    expect((await assume(carol.client, { r: arn("role/vendor"), s: "cs" })).code).toBe("AccessDenied");
    expect((await assume(carol.client, { r: arn("role/vendor"), s: "cs", x: "ext-999" })).code).toBe("AccessDenied");
    expect((await assume(carol.client, { r: arn("role/vendor"), s: "cs", x: "ext-123" })).__typename).toBe("AssumeRoleResponse");
  });

  test("AWS's validation: duration, session name, packed size", async () => {
    const refusal = async (vars: Record<string, unknown>) => {
      const r = await assume(alice.client, { r: deployer, s: "vs", ...vars });
      return [r.code, r.message];
    };
    expect(await refusal({ d: 899 })).toEqual(["ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"]);
    expect(await refusal({ d: 7201 })).toEqual(["ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."]);
    expect((await refusal({ s: "x" }))[0]).toBe("ValidationError");
    expect((await refusal({ s: "bad name" }))[0]).toBe("ValidationError");
    expect((await refusal({ p: "{not json" }))[0]).toBe("MalformedPolicyDocument");
    expect((await refusal({ pa: Array.from({ length: 11 }, (_, i) => arn(`policy/p${i}`)) }))[0]).toBe("ValidationError");
    // Random tag values do not compress: 20 × 200 characters are far past the packed limit.
    const noisy = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: Array.from({ length: 200 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)]).join("") }));
    const packed = await refusal({ tags: noisy });
    expect(packed[0]).toBe("PackedPolicyTooLarge");
    expect(packed[1]).toMatch(/^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/);
    expect((await assume(alice.client, { r: deployer, s: "vs", d: 7200 })).__typename).toBe("AssumeRoleResponse");
  });

  test("session tags override the role's tags in aws:PrincipalTag; transitive tags carry into a chained session, limited to one hour", async () => {
    const tagged = await session(alice.client, { r: deployer, s: "tagged", tags: [{ key: "team", value: "ops" }], tt: ["team"] });
    const untagged = await session(alice.client, { r: deployer, s: "untagged" });
    const createGroup = (n: string) => `mutation { r: createGroup(groupName: "${n}") { ${result} } }`;
    expect((await untagged.client.request(createGroup("ByDev"))).data?.r.code).toBe("AccessDenied");
    expect((await tagged.client.request(createGroup("ByOps"))).data?.r.__typename).toBe("GroupPayload");
    // The group was created by the session: its ARN is the event's actor.
    const actors = await t.db.prisma.event.findMany({ where: { type: "GroupCreated" }, select: { metadata: true } });
    expect(JSON.stringify(actors)).toContain(tagged.arn);

    // Role chaining: the session assumes a role that trusts the deployer role.
    const chainTrust = policyOf({ Effect: "Allow", Principal: { AWS: deployer }, Action: "sts:AssumeRole" });
    ok(await t.client.request(createRole, { n: "auditor", d: JSON.stringify(chainTrust), m: 43200 }), "r");
    ok(await t.client.request(putRolePolicy, { n: "auditor", p: "p", d: JSON.stringify(policyOf(allow("iam:CreateGroup", "*", { StringEquals: { "aws:PrincipalTag/team": "ops" } }))) }), "r");
    expect(await assume(tagged.client, { r: arn("role/auditor"), s: "chain", d: 3601 })).toMatchObject({
      code: "ValidationError",
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const chained = await session(tagged.client, { r: arn("role/auditor"), s: "chain" });
    expect((await chained.client.request(createGroup("ByChain"))).data?.r.__typename).toBe("GroupPayload");
    const sessions = ok<{ sessionName: string; chained: boolean; issuedBy: string; tags: { key: string; value: string }[] }[]>(
      await t.client.request(`query ($r: String!) { r: roleSessions(roleArn: $r) { sessionName chained issuedBy tags { key value } } }`, { r: arn("role/auditor") }),
      "r",
    );
    expect(sessions).toEqual([{ sessionName: "chain", chained: true, issuedBy: tagged.arn, tags: [{ key: "team", value: "ops" }] }]);
  });

  test("revokeRoleSessions denies every session issued before it, and none issued after", async () => {
    const before = await session(alice.client, { r: deployer, s: "old" });
    expect((await before.client.request(getUser)).errors).toBeUndefined();
    advance(1_000);
    ok(await t.client.request(`mutation { r: revokeRoleSessions(roleName: "deployer") { ${result} } }`), "r");
    expect(queryError(await before.client.request(getUser))).toEqual({
      code: "AccessDenied",
      message: `User: ${before.arn} is not authorized to perform: iam:GetUser on resource: ${arn("user/target")} with an explicit deny in an identity-based policy`,
    });
    advance(1_000);
    const after = await session(alice.client, { r: deployer, s: "new" });
    expect((await after.client.request(getUser)).errors).toBeUndefined();
    const listed = ok<{ sessionName: string; issuedBy: string; active: boolean }[]>(
      await t.client.request(`query ($r: String!) { r: roleSessions(roleArn: $r) { sessionName issuedBy active } }`, { r: deployer }),
      "r",
    );
    expect(listed[0]).toEqual({ sessionName: "new", issuedBy: alice.arn, active: true });
    expect(listed.map((s) => s.sessionName)).toContain("short");
    expect(listed.find((s) => s.sessionName === "short")?.active).toBe(false);
    // Who held the role at a moment: the sessions valid then, from the records.
    const heldAt = async (at: number) =>
      ok<{ sessionName: string }[]>(await t.client.request(`query ($r: String!, $at: DateTime) { r: roleSessions(roleArn: $r, activeAt: $at) { sessionName } }`, { r: deployer, at: new Date(at).toISOString() }), "r").map((s) => s.sessionName);
    expect(await heldAt(clock)).toContain("new");
    expect(await heldAt(clock)).not.toContain("short");
    expect(await heldAt(Date.parse("2026-06-01T10:00:00.000Z") + 100_000)).toEqual(expect.arrayContaining(["s1", "wide", "short"]));
    expect(await heldAt(Date.parse("2026-06-01T09:00:00.000Z"))).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { allow, createCaller, createManagedPolicy, deny, policyOf } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";

// Self-authorization (issue 6, part 2): every operation is decided by the caller's own IAM
// policies, on the action and resource AWS uses, with AWS's AccessDenied messages; a denial
// writes nothing. Served over real HTTP so aws:SourceIp is the TCP peer (127.0.0.1).

const ACCOUNT = "123456789012";
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
const denied = (caller: string, action: string, resource: string, why: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
const noIdentityAllow = (action: string) => `because no identity-based policy allows the ${action} action`;
const identityDeny = "with an explicit deny in an identity-based policy";
const noBoundaryAllow = (action: string) => `because no permissions boundary allows the ${action} action`;
const boundaryDeny = "with an explicit deny in a permissions boundary";

const result = `__typename ... on IamError { code message }`;
const getUser = `query ($n: String!) { user(userName: $n) { userName arn } }`;
const createUser = `mutation ($n: String!, $p: String, $tags: [TagInput!]) { createUser(userName: $n, path: $p, tags: $tags) { ${result} ... on UserPayload { user { arn } } } }`;
const createGroup = `mutation ($n: String!) { createGroup(groupName: $n) { ${result} ... on GroupPayload { group { arn } } } }`;

describe.each(backends)("self-authorization on $name", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { transport: "http" });
    for (const [userName, path] of [["target", "/"], ["pathy", "/team/"], ["tagged", "/"]] as const) {
      ok(await t.client.request(createUser, { n: userName, p: path, tags: userName === "tagged" ? [{ key: "team", value: "blue" }] : [] }), "createUser");
    }
  });
  afterAll(() => t?.close());

  /** A query's single error: its code and message. */
  const queryError = (r: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }) => {
    expect(r.errors, "expected an error").toBeDefined();
    return { code: r.errors![0]!.extensions?.code, message: r.errors![0]!.message };
  };
  /** Runs a mutation that must be refused with AccessDenied and leave the log as it was. */
  async function refused(client: GraphQLClient, query: string, variables: Record<string, unknown>, field: string, message: string) {
    const before = await t.eventCount();
    const r = await client.request(query, variables);
    expect(r.errors).toBeUndefined();
    expect(r.data[field]).toEqual({ __typename: "IamError", code: "AccessDenied", message });
    expect(await t.eventCount()).toBe(before);
  }

  test("a user without policies is refused every operation but GetCallerIdentity", async () => {
    const nobody = await createCaller(t, { userName: "nobody" });
    expect(queryError(await nobody.client.request(getUser, { n: "target" }))).toEqual({
      code: "AccessDenied",
      message: denied(nobody.arn, "iam:GetUser", arn("user/target"), noIdentityAllow("iam:GetUser")),
    });
    await refused(nobody.client, createGroup, { n: "NobodysGroup" }, "createGroup", denied(nobody.arn, "iam:CreateGroup", arn("group/NobodysGroup"), noIdentityAllow("iam:CreateGroup")));
    expect((await nobody.client.request(`{ callerIdentity { arn account } }`)).data).toEqual({ callerIdentity: { arn: nobody.arn, account: ACCOUNT } });
  });

  test("a dry run needs the mutation's own action and iamgraph:PreviewChange (its answer is others' decisions)", async () => {
    const dryRunGroup = `mutation ($n: String!) { createGroup(groupName: $n, dryRun: true) { ${result} ... on ChangePreview { principalsConsidered } } }`;
    const creator = await createCaller(t, { userName: "dry-creator", policies: [policyOf(allow("iam:CreateGroup"))] });
    await refused(creator.client, dryRunGroup, { n: "DryGroup" }, "createGroup", denied(creator.arn, "iamgraph:PreviewChange", "*", noIdentityAllow("iamgraph:PreviewChange")));
    const previewer = await createCaller(t, { userName: "dry-previewer", policies: [policyOf(allow("iamgraph:PreviewChange"))] });
    await refused(previewer.client, dryRunGroup, { n: "DryGroup" }, "createGroup", denied(previewer.arn, "iam:CreateGroup", arn("group/DryGroup"), noIdentityAllow("iam:CreateGroup")));
    const both = await createCaller(t, { userName: "dry-both", policies: [policyOf(allow(["iam:CreateGroup", "iamgraph:PreviewChange"]))] });
    const before = await t.eventCount();
    expect((await both.client.request(dryRunGroup, { n: "DryGroup" })).data.createGroup).toEqual({ __typename: "ChangePreview", principalsConsidered: 0 });
    expect(await t.eventCount()).toBe(before);
  });

  test("an explicit deny in an identity-based policy wins over an allow", async () => {
    const c = await createCaller(t, { userName: "no-deleter", policies: [policyOf(allow("iam:*")), policyOf(deny("iam:DeleteUser"))] });
    await refused(c.client, `mutation { deleteUser(userName: "target") { ${result} } }`, {}, "deleteUser", denied(c.arn, "iam:DeleteUser", arn("user/target"), identityDeny));
    expect((await t.client.request(getUser, { n: "target" })).data.user).toEqual({ userName: "target", arn: arn("user/target") });
    // The allow still allows what the deny does not cover.
    expect((await c.client.request(getUser, { n: "target" })).data.user.userName).toBe("target");
  });

  test("a permissions boundary that does not allow, or denies, refuses what the identity policy allows", async () => {
    const readOnly = await createCaller(t, { userName: "bounded-ro", policies: [policyOf(allow("iam:*"))], boundary: policyOf(allow(["iam:Get*", "iam:List*"])) });
    await refused(readOnly.client, createGroup, { n: "RoGroup" }, "createGroup", denied(readOnly.arn, "iam:CreateGroup", arn("group/RoGroup"), noBoundaryAllow("iam:CreateGroup")));
    expect((await readOnly.client.request(getUser, { n: "target" })).data.user.userName).toBe("target");

    const noGroups = await createCaller(t, { userName: "bounded-deny", policies: [policyOf(allow("iam:*"))], boundary: policyOf(allow("*"), deny("iam:CreateGroup")) });
    await refused(noGroups.client, createGroup, { n: "DenyGroup" }, "createGroup", denied(noGroups.arn, "iam:CreateGroup", arn("group/DenyGroup"), boundaryDeny));
    const made = ok(await noGroups.client.request(createUser, { n: "made-by-bounded" }), "createUser");
    expect(made.user.arn).toBe(arn("user/made-by-bounded"));
  });

  test("an existing entity is authorized on its real ARN (with path); a missing one on its path-less ARN, before NoSuchEntity", async () => {
    const teamReader = await createCaller(t, { userName: "team-reader", policies: [policyOf(allow("iam:GetUser", arn("user/team/*")))] });
    expect((await teamReader.client.request(getUser, { n: "pathy" })).data.user).toEqual({ userName: "pathy", arn: arn("user/team/pathy") });
    expect(queryError(await teamReader.client.request(getUser, { n: "target" })).message).toBe(denied(teamReader.arn, "iam:GetUser", arn("user/target"), noIdentityAllow("iam:GetUser")));
    // A name that does not exist is denied exactly like one that exists elsewhere: no probing.
    expect(queryError(await teamReader.client.request(getUser, { n: "ghost" })).message).toBe(denied(teamReader.arn, "iam:GetUser", arn("user/ghost"), noIdentityAllow("iam:GetUser")));
    const reader = await createCaller(t, { userName: "any-reader", policies: [policyOf(allow("iam:GetUser"))] });
    expect(await reader.client.request(getUser, { n: "ghost" })).toMatchObject({ data: { user: null } });
    // A mutation on a missing entity: AccessDenied when not allowed, NoSuchEntity when allowed.
    await refused(teamReader.client, `mutation { deleteUser(userName: "ghost") { ${result} } }`, {}, "deleteUser", denied(teamReader.arn, "iam:DeleteUser", arn("user/ghost"), noIdentityAllow("iam:DeleteUser")));
  });

  test("List* operations are authorized on the path prefix they list", async () => {
    const c = await createCaller(t, { userName: "team-lister", policies: [policyOf(allow("iam:ListUsers", arn("user/team/*")))] });
    const list = `query ($p: String) { users(pathPrefix: $p) { edges { node { userName } } } }`;
    expect((await c.client.request(list, { p: "/team/" })).data.users.edges).toEqual([{ node: { userName: "pathy" } }]);
    expect(queryError(await c.client.request(list, {})).message).toBe(denied(c.arn, "iam:ListUsers", arn("user/"), noIdentityAllow("iam:ListUsers")));
    expect(queryError(await c.client.request(`{ groups { edges { node { groupName } } } }`)).message).toBe(denied(c.arn, "iam:ListGroups", arn("group/"), noIdentityAllow("iam:ListGroups")));
  });

  test("aws:RequestTag and aws:TagKeys: a creator may only create users tagged team=blue", async () => {
    const c = await createCaller(t, {
      userName: "blue-creator",
      policies: [policyOf(allow("iam:CreateUser", "*", { StringEquals: { "aws:RequestTag/team": "blue" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } }))],
    });
    expect(ok(await c.client.request(createUser, { n: "blue-one", tags: [{ key: "team", value: "blue" }] }), "createUser").user.arn).toBe(arn("user/blue-one"));
    const why = noIdentityAllow("iam:CreateUser");
    await refused(c.client, createUser, { n: "red-one", tags: [{ key: "team", value: "red" }] }, "createUser", denied(c.arn, "iam:CreateUser", arn("user/red-one"), why));
    await refused(c.client, createUser, { n: "extra-tag", tags: [{ key: "team", value: "blue" }, { key: "cost", value: "1" }] }, "createUser", denied(c.arn, "iam:CreateUser", arn("user/extra-tag"), why));
    await refused(c.client, createUser, { n: "untagged", p: "/x/" }, "createUser", denied(c.arn, "iam:CreateUser", arn("user/x/untagged"), why));
  });

  test("aws:ResourceTag: tags already on the target decide", async () => {
    const c = await createCaller(t, { userName: "blue-tagger", policies: [policyOf(allow("iam:TagUser", "*", { StringEquals: { "aws:ResourceTag/team": "blue" } }))] });
    const tagUser = `mutation ($n: String!) { tagUser(userName: $n, tags: [{ key: "owner", value: "me" }]) { ${result} ... on UserPayload { user { userName } } } }`;
    expect(ok(await c.client.request(tagUser, { n: "tagged" }), "tagUser").user.userName).toBe("tagged");
    await refused(c.client, tagUser, { n: "target" }, "tagUser", denied(c.arn, "iam:TagUser", arn("user/target"), noIdentityAllow("iam:TagUser")));
  });

  test("aws:PrincipalTag: the caller's own tags decide", async () => {
    const statement = allow("iam:GetUser", "*", { StringEquals: { "aws:PrincipalTag/role": "auditor" } });
    const auditor = await createCaller(t, { userName: "auditor", tags: [{ key: "role", value: "auditor" }], policies: [policyOf(statement)] });
    const intern = await createCaller(t, { userName: "intern", tags: [{ key: "role", value: "intern" }], policies: [policyOf(statement)] });
    expect((await auditor.client.request(getUser, { n: "target" })).data.user.userName).toBe("target");
    expect(queryError(await intern.client.request(getUser, { n: "target" })).message).toBe(denied(intern.arn, "iam:GetUser", arn("user/target"), noIdentityAllow("iam:GetUser")));
  });

  test("aws:SourceIp and aws:SecureTransport come from the connection", async () => {
    const local = await createCaller(t, { userName: "from-localhost", policies: [policyOf(allow("iam:GetUser", "*", { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } }))] });
    const office = await createCaller(t, { userName: "from-office", policies: [policyOf(allow("iam:GetUser", "*", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }))] });
    expect((await local.client.request(getUser, { n: "target" })).data.user.userName).toBe("target");
    expect(queryError(await office.client.request(getUser, { n: "target" })).message).toBe(denied(office.arn, "iam:GetUser", arn("user/target"), noIdentityAllow("iam:GetUser")));
    // A client forging X-Forwarded-For is still at 127.0.0.1.
    const forged = await office.client.request(getUser, { n: "target" }, { "x-forwarded-for": "203.0.113.9" });
    expect(queryError(forged).code).toBe("AccessDenied");
    const tlsOnly = await createCaller(t, { userName: "tls-only", policies: [policyOf(allow("iam:*"), deny("*", "*", { Bool: { "aws:SecureTransport": "false" } }))] });
    expect(queryError(await tlsOnly.client.request(getUser, { n: "target" })).message).toBe(denied(tlsOnly.arn, "iam:GetUser", arn("user/target"), identityDeny));
  });

  test("renaming or moving a user needs permission on both the current and the new ARN", async () => {
    ok(await t.client.request(createUser, { n: "mover" }), "createUser");
    const c = await createCaller(t, { userName: "renamer", policies: [policyOf(allow("iam:UpdateUser", [arn("user/mover"), arn("user/ops/*")]))] });
    const update = `mutation ($n: String!, $nn: String, $np: String) { updateUser(userName: $n, newUserName: $nn, newPath: $np) { ${result} ... on UserPayload { user { arn } } } }`;
    await refused(c.client, update, { n: "mover", nn: "moved" }, "updateUser", denied(c.arn, "iam:UpdateUser", arn("user/moved"), noIdentityAllow("iam:UpdateUser")));
    expect(ok(await c.client.request(update, { n: "mover", np: "/ops/" }), "updateUser").user.arn).toBe(arn("user/ops/mover"));
  });

  test("nested fields that reveal more than their parent need their own action; a list of users is decided in one batch", async () => {
    const policyArn = await createManagedPolicy(t, "nested-p", policyOf(allow("iam:GetUser")));
    for (let i = 0; i < 20; i++) {
      ok(await t.client.request(createUser, { n: `many-${i}`, p: "/many/" }), "createUser");
      ok(await t.client.request(`mutation { r: attachUserPolicy(userName: "many-${i}", policyArn: "${policyArn}") { ${result} } }`), "r");
    }
    const lister = await createCaller(t, { userName: "lister-only", policies: [policyOf(allow("iam:ListUsers"))] });
    const list = `{ users(pathPrefix: "/many/") { edges { node { userName attachedPolicies { policyName } } } } }`;
    // The field is non-null: the first denial nulls the whole list (and ends its errors there).
    const refusedNested = await lister.client.request(list);
    expect(refusedNested.data).toBeNull();
    expect(refusedNested.errors).toHaveLength(1);
    const [only] = refusedNested.errors!;
    expect(only!.extensions?.code).toBe("AccessDenied");
    const someUser = /user\/many\/many-\d+/.exec(only!.message)![0];
    expect(only!.message).toBe(denied(lister.arn, "iam:ListAttachedUserPolicies", arn(someUser), noIdentityAllow("iam:ListAttachedUserPolicies")));
    const reader = await createCaller(t, { userName: "lister-reader", policies: [policyOf(allow(["iam:ListUsers", "iam:ListAttachedUserPolicies"]))] });
    await reader.client.request(`{ callerIdentity { arn } }`); // warm
    const spy = vi.spyOn(t.app.authorizer, "authorizeMany");
    try {
      const r = await reader.client.request(list);
      expect(r.errors).toBeUndefined();
      expect(r.data.users.edges).toHaveLength(20);
      expect(r.data.users.edges.find((e: any) => e.node.userName === "many-7").node).toEqual({ userName: "many-7", attachedPolicies: [{ policyName: "nested-p" }] });
      // One batch for `users`, one for the twenty nested fields.
      expect(spy.mock.calls.map((call) => call[0].length)).toEqual([1, 20]);
    } finally {
      spy.mockRestore();
    }
  });

  test("time travel: asOf needs iamgraph:ReadAsOf, and its fields the same actions as today's", async () => {
    const position = ok(await t.client.request(`mutation { r: putUserPolicy(userName: "target", policyName: "old", policyDocument: ${JSON.stringify(JSON.stringify(policyOf(allow("s3:*"))))}) { ${result} ... on PositionPayload { position } } }`), "r").position;
    const q = `query ($p: Position!) { asOf(at: { position: $p }) { user(userName: "target") { userName inlinePolicies { policyName } } } }`;
    const noTravel = await createCaller(t, { userName: "no-travel", policies: [policyOf(allow("iam:*"))] });
    expect(queryError(await noTravel.client.request(q, { p: position })).message).toBe(denied(noTravel.arn, "iamgraph:ReadAsOf", "*", noIdentityAllow("iamgraph:ReadAsOf")));
    const traveller = await createCaller(t, { userName: "traveller", policies: [policyOf(allow(["iamgraph:ReadAsOf", "iam:GetUser"]))] });
    expect(queryError(await traveller.client.request(q, { p: position })).message).toBe(denied(traveller.arn, "iam:ListUserPolicies", arn("user/target"), noIdentityAllow("iam:ListUserPolicies")));
    const reader = await createCaller(t, { userName: "time-reader", policies: [policyOf(allow(["iamgraph:ReadAsOf", "iam:GetUser", "iam:ListUserPolicies", "iam:GetUserPolicy"]))] });
    expect((await reader.client.request(q, { p: position })).data.asOf.user).toEqual({ userName: "target", inlinePolicies: [{ policyName: "old" }] });
  });

  test("iamgraph's own operations: the log, an entity's history, authorize about a principal", async () => {
    const c = await createCaller(t, { userName: "historian", policies: [policyOf(allow("iamgraph:GetHistory", arn("user/target")), allow("iamgraph:Authorize", arn("user/historian")))] });
    expect((await c.client.request(`{ history(arn: "${arn("user/target")}", first: 1) { edges { node { type } } } }`)).data.history.edges).toEqual([{ node: { type: "UserCreated" } }]);
    expect(queryError(await c.client.request(`{ events(first: 1) { edges { node { type } } } }`)).message).toBe(denied(c.arn, "iamgraph:ListEvents", "*", noIdentityAllow("iamgraph:ListEvents")));
    const authorize = (who: string) => `{ authorize(principalArn: "${who}", action: "iam:GetUser", resource: "*") { __typename ... on AuthorizationDecision { decision } ... on IamError { code message } } }`;
    expect((await c.client.request(authorize(c.arn))).data.authorize).toEqual({ __typename: "AuthorizationDecision", decision: "implicitDeny" });
    expect((await c.client.request(authorize(arn("user/target")))).data.authorize).toEqual({
      __typename: "IamError",
      code: "AccessDenied",
      message: denied(c.arn, "iamgraph:Authorize", arn("user/target"), noIdentityAllow("iamgraph:Authorize")),
    });
  });

  test("an allowed mutation's events record the caller as actor, with its access key", async () => {
    const c = await createCaller(t, { userName: "group-maker", policies: [policyOf(allow("iam:CreateGroup"))] });
    ok(await c.client.request(createGroup, { n: "MadeByUser" }), "createGroup");
    const events = await t.client.request(`{ events(filter: { types: ["GroupCreated"] }) { edges { node { payload metadata { actor accessKeyId } } } } }`);
    const made = events.data.events.edges.find((e: any) => e.node.payload.groupName === "MadeByUser");
    expect(made.node.metadata).toEqual({ actor: c.arn, accessKeyId: c.accessKeyId });
  });
});

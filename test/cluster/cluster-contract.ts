import { expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { subscribeWs } from "../support/live-server.js";
import { eventually, decisionOn, mutateOn as mutate, type ServerProcess } from "../support/server-process.js";

// What two API instances on one store must agree on (issue 12), whichever way B follows the log:
// postgres mode (LISTEN/NOTIFY tailer, follow-the-log.int.test.ts) and kafka mode (the events
// topic, test/messaging/kafka/two-instances.int.test.ts). Run inside a describe whose
// beforeAll starts the instances; every change is made on A and observed on B. Every absence is
// proven by waiting for the opposite (never a fixed sleep), within a bound.

const account = "123456789012";
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
export const doc = (effect: "Allow" | "Deny", ...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: actions, Resource: "*" }] });

export function clusterContract(instances: () => { a: ServerProcess; b: ServerProcess }): void {
  test("a revoke on A is enforced on B: authorize, the caller's own requests, a deleted access key", async () => {
    const { a, b } = instances();
    await mutate(a, "createUser", { userName: "mu1" }, "... on UserPayload { position }");
    await mutate(a, "putUserPolicy", { userName: "mu1", policyName: "r", policyDocument: doc("Allow", "iam:GetUser", "iam:ListUsers") });
    const created = await mutate(a, "createAccessKey", { userName: "mu1" }, "... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } }");
    const { accessKeyId, secretAccessKey } = created.accessKey;
    const mu1 = basicAuthorization(accessKeyId, secretAccessKey);
    const getSelf = `{ user(userName: "mu1") { userName } }`;

    // B allows — and caches what it decided.
    await eventually("B allows mu1", async () => ((await decisionOn(b, userArn("mu1"), "iam:GetUser")) === "allowed" ? true : undefined));
    expect((await b.request(getSelf, {}, { authorization: mu1 })).data).toEqual({ user: { userName: "mu1" } });

    const revoked = await mutate(a, "deleteUserPolicy", { userName: "mu1", policyName: "r" });
    expect(await decisionOn(a, userArn("mu1"), "iam:GetUser")).toBe("implicitDeny");
    await eventually("B denies mu1 after the revoke on A", async () => ((await decisionOn(b, userArn("mu1"), "iam:GetUser")) === "implicitDeny" ? true : undefined), 5_000);
    const own = await b.request(getSelf, {}, { authorization: mu1 });
    expect(own.data?.user ?? null).toBeNull();
    expect(own.errors?.[0]?.extensions?.code).toBe("AccessDenied");
    // B reports the position it has applied, which covers the revoke.
    expect(own.extensions?.position).toBeGreaterThanOrEqual(revoked.position);

    // The key authenticated on B (its proof is cached there); deleted on A, it stops working on B.
    expect((await b.request(`{ callerIdentity { arn } }`, {}, { authorization: mu1 })).data).toEqual({ callerIdentity: { arn: userArn("mu1") } });
    await mutate(a, "deleteAccessKey", { userName: "mu1", accessKeyId }, "__typename");
    const refused = await eventually(
      "B refuses the key deleted on A",
      async () => {
        const r = await b.request(`{ callerIdentity { arn } }`, {}, { authorization: mu1 });
        return r.data?.callerIdentity ? undefined : r;
      },
      5_000,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("InvalidClientTokenId");
  });

  test("a principal B found absent (and remembers as absent) is known on B once A creates it", async () => {
    const { a, b } = instances();
    const absent = `query ($p: String!) { authorize(principalArn: $p, action: "s3:GetObject", resource: "*") { ... on IamError { code } ... on AuthorizationDecision { decision } } }`;
    for (let i = 0; i < 2; i++) expect((await b.request(absent, { p: userArn("late1") })).data.authorize).toEqual({ code: "NoSuchEntity" });
    await mutate(a, "createUser", { userName: "late1" }, "... on UserPayload { position }");
    await mutate(a, "putUserPolicy", { userName: "late1", policyName: "read", policyDocument: doc("Allow", "s3:GetObject") });
    await eventually("B allows late1 once A created it", async () => ((await decisionOn(b, userArn("late1"), "s3:GetObject")) === "allowed" ? true : undefined), 5_000);
  });

  test("a mutation on A reaches subscribers on B; a resume on B after a drop misses nothing", async () => {
    const { a, b } = instances();
    const start = (await mutate(a, "createUser", { userName: "sub1" }, "... on UserPayload { position }")).position as number;
    const arn = userArn("sub1");
    const client = b.wsClient();
    // Subscribed with `after`, so whenever B attaches them nothing after `start` is missed.
    const permissions = await subscribeWs(client, `subscription ($arn: String!, $after: Position) { permissionsChanged(principalArn: $arn, after: $after) { position cause { type position } entered { policyName } left { policyName } } }`, { arn, after: start });
    const decision = await subscribeWs(client, `subscription ($arn: String!, $after: Position) { decisionChanged(principalArn: $arn, action: "s3:GetObject", resource: "*", after: $after) { position before after cause { type position } } }`, { arn, after: start });
    const tail = await subscribeWs(client, `subscription ($arn: String, $after: Position) { events(filter: { entityArn: $arn }, after: $after) { position type } }`, { arn, after: start });

    const put = (await mutate(a, "putUserPolicy", { userName: "sub1", policyName: "read", policyDocument: doc("Allow", "s3:GetObject") })).position as number;
    const [entered] = await permissions.waitFor(1);
    expect(entered).toEqual({ position: put, cause: { type: "InlinePolicyPut", position: put }, entered: [{ policyName: "read" }], left: [] });
    // The decision watch may attach before or after the put: either way it reports the flip once.
    const [flip] = await decision.waitFor(1);
    expect(flip).toMatchObject({ position: put, after: "allowed", cause: { type: "InlinePolicyPut", position: put } });
    expect((await tail.waitFor(1)).map((m) => [m.position, m.type])).toEqual([[put, "InlinePolicyPut"]]);

    // Drop, change twice on A, resume on B after the last position seen.
    permissions.stop();
    tail.stop();
    const removed = (await mutate(a, "deleteUserPolicy", { userName: "sub1", policyName: "read" })).position as number;
    const again = (await mutate(a, "putUserPolicy", { userName: "sub1", policyName: "write", policyDocument: doc("Allow", "s3:PutObject") })).position as number;
    const resumed = await subscribeWs(client, `subscription ($arn: String!, $after: Position) { permissionsChanged(principalArn: $arn, after: $after) { position cause { type } entered { policyName } left { policyName } } }`, { arn, after: put });
    const resumedTail = await subscribeWs(client, `subscription ($arn: String, $after: Position) { events(filter: { entityArn: $arn }, after: $after) { position type } }`, { arn, after: put });
    expect(await resumed.waitFor(2)).toEqual([
      { position: removed, cause: { type: "InlinePolicyDeleted" }, entered: [], left: [{ policyName: "read" }] },
      { position: again, cause: { type: "InlinePolicyPut" }, entered: [{ policyName: "write" }], left: [] },
    ]);
    expect((await resumedTail.waitFor(2)).map((m) => [m.position, m.type])).toEqual([
      [removed, "InlinePolicyDeleted"],
      [again, "InlinePolicyPut"],
    ]);
    // And it goes on live: the next change on A arrives once, after the resumed ones.
    const last = (await mutate(a, "deleteUserPolicy", { userName: "sub1", policyName: "write" })).position as number;
    expect((await resumed.waitFor(3))[2]).toMatchObject({ position: last, cause: { type: "InlinePolicyDeleted" } });
    expect((await decision.waitFor(2))[1]).toMatchObject({ position: removed, before: "allowed", after: "implicitDeny", cause: { type: "InlinePolicyDeleted" } });
    for (const s of [resumed, resumedTail, decision]) s.stop();
  });

  test("consistency.atLeast from a write on A, read on B", async () => {
    const { a, b } = instances();
    await mutate(a, "createUser", { userName: "ryw1" }, "... on UserPayload { position }");
    const granted = await mutate(a, "putUserPolicy", { userName: "ryw1", policyName: "p", policyDocument: doc("Allow", "s3:GetObject") });
    const authorize = `{ authorize(principalArn: "${userArn("ryw1")}", action: "s3:GetObject", resource: "*") { ... on AuthorizationDecision { decision } } }`;
    // B decides (and caches its compiled policies) at the grant's position.
    const before = await b.request(authorize, {}, { extensions: { consistency: { atLeast: granted.position, timeoutMs: 5_000 } } });
    expect(before.data.authorize.decision).toBe("allowed");
    const { position } = await mutate(a, "deleteUserPolicy", { userName: "ryw1", policyName: "p" });
    // The first read on B that asks for the revoke's position sees it — caches included.
    const read = await b.request(authorize, {}, { extensions: { consistency: { atLeast: position, timeoutMs: 5_000 } } });
    expect(read.data.authorize.decision).toBe("implicitDeny");
    expect(read.extensions.position).toBeGreaterThanOrEqual(position);
    // A position no instance has reached: a typed timeout, reporting where B is.
    const far = await b.request(`{ user(userName: "ryw1") { userName } }`, {}, { extensions: { consistency: { atLeast: position + 1_000_000, timeoutMs: 200 } } });
    expect(far.errors?.[0]?.extensions).toMatchObject({ code: "ConsistencyTimeout", atLeast: position + 1_000_000 });
    expect(far.errors?.[0]?.extensions.reached).toBeGreaterThanOrEqual(position);
  });

  test("the cause of a flip is the event that flipped it, not the command's first (issue 11, defect 6)", async () => {
    const { a, b } = instances();
    await mutate(a, "createUser", { userName: "rest1" }, "... on UserPayload { position }");
    const base = await mutate(a, "putUserPolicy", { userName: "rest1", policyName: "base", policyDocument: doc("Allow", "s3:GetObject") });
    const managed = await mutate(a, "createPolicy", { policyName: "rest1-list", policyDocument: doc("Allow", "s3:ListBucket") }, "... on PolicyPayload { policy { arn } }");
    await mutate(a, "attachUserPolicy", { userName: "rest1", policyArn: managed.policy.arn });
    const denied = await mutate(a, "putUserPolicy", { userName: "rest1", policyName: "deny", policyDocument: doc("Deny", "s3:GetObject") });
    const arn = userArn("rest1");
    const client = b.wsClient();
    const flips = `subscription ($arn: String!, $after: Position) { decisionChanged(principalArn: $arn, action: "s3:GetObject", resource: "*", after: $after) { position before after cause { type position } } }`;
    const decision = await subscribeWs(client, flips, { arn, after: denied.position });
    // The same-instance path too: on A, where the restore is committed.
    const onA = await subscribeWs(a.wsClient(), flips, { arn, after: denied.position });
    const permissions = await subscribeWs(client, `subscription ($arn: String!, $after: Position) { permissionsChanged(principalArn: $arn, after: $after) { position cause { type position } left { policyName } } }`, { arn, after: denied.position });
    await eventually("B denies", async () => ((await decisionOn(b, arn, "s3:GetObject")) === "explicitDeny" ? true : undefined));

    // Back to the point after the base policy: detach the managed policy, then delete the deny.
    const r = await a.request(
      `mutation ($arn: String!, $p: Position!) { restorePrincipal(arn: $arn, asOf: { position: $p }, confirm: true) { __typename ... on RestorePrincipalPayload { position commands { type } } ... on IamError { code message } } }`,
      { arn, p: base.position },
    );
    const restored = r.data.restorePrincipal;
    expect(restored.commands.map((c: { type: string }) => c.type)).toEqual(["DetachPolicy", "DeleteInlinePolicy"]);
    const expected = { position: restored.position, before: "explicitDeny", after: "allowed", cause: { type: "InlinePolicyDeleted", position: restored.position } };
    expect((await onA.waitFor(1))[0]).toEqual(expected);
    expect((await decision.waitFor(1))[0]).toEqual(expected);
    const [change] = await permissions.waitFor(1);
    expect(change.left.map((p: { policyName: string }) => p.policyName).sort()).toEqual(["deny", "rest1-list"]);
    expect(change.cause).toEqual({ type: "InlinePolicyDeleted", position: restored.position });
    for (const sub of [decision, onA, permissions]) sub.stop();
  });
}

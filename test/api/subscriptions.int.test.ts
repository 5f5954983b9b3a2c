import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { readAll } from "../../src/eventstore/read.js";
import { backends } from "../support/databases.js";
import { startLiveServer, subscribeSse, subscribeWs, untilIdle, untilSubscribers, type LiveServer } from "../support/live-server.js";

// Live subscriptions against a running server, with the real clients: graphql-ws over WebSocket
// and GraphQL over SSE. Each test uses its own names, so the tests of one backend share a server.
// "Nothing else arrived" is proved by position, never by waiting: after the expected messages a
// later marker write that the subscription must see is made, and the very next message must be
// the marker. Messages are delivered in log order, so anything extra would come before it.

const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const permissions = `subscription ($arn: String!, $after: Position) {
  permissionsChanged(principalArn: $arn, after: $after) {
    position principalExists
    cause { type actor position }
    entered { kind policyName viaGroupName versionId }
    left { kind policyName viaGroupName }
    updated { kind policyName versionId }
  }
}`;
const decision = `subscription ($arn: String!, $after: Position) {
  decisionChanged(principalArn: $arn, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", after: $after) {
    position before after allowed cause { type }
  }
}`;
const entity = `subscription ($arn: String!, $after: Position) { entityChanged(arn: $arn, after: $after) { position type } }`;
const tail = `subscription ($filter: LiveEventFilter, $after: Position) { events(filter: $filter, after: $after) { position type streamId } }`;

/** A change summarised for comparison: cause type and the policy names in or out. */
const summary = (m: any) => ({
  cause: m.cause.type,
  entered: m.entered.map((p: any) => `${p.kind}:${p.policyName}${p.viaGroupName ? `@${p.viaGroupName}` : ""}`),
  left: m.left.map((p: any) => `${p.kind}:${p.policyName}${p.viaGroupName ? `@${p.viaGroupName}` : ""}`),
  updated: m.updated.map((p: any) => `${p.kind}:${p.policyName}:${p.versionId}`),
});

for (const backend of backends) {
  describe(`live subscriptions (${backend.name})`, () => {
    let s: LiveServer;
    beforeAll(async () => {
      s = await startLiveServer(backend);
    });
    afterAll(async () => {
      await s?.close();
    });
    // Each test counts subscribers from zero.
    afterEach(async () => {
      await untilIdle(s);
    });

    const user = async (userName: string) => (await s.mutate("createUser", { userName }, "UserPayload")).user.arn as string;
    const policy = async (policyName: string, action: string) => (await s.mutate("createPolicy", { policyName, policyDocument: allow(action) }, "PolicyPayload")).policy.arn as string;

    test("every trigger path gives the principal exactly its change, and bystanders nothing", async () => {
      const alice = await user("t1-alice");
      const bob = await user("t1-bob");
      await s.mutate("createGroup", { groupName: "t1-devs" }, "GroupPayload");
      await s.mutate("createGroup", { groupName: "t1-ops" }, "GroupPayload");
      const devs = (await s.request(`{ group(groupName: "t1-devs") { arn } }`)).data.group.arn;
      await s.mutate("addUserToGroup", { userName: "t1-alice", groupName: "t1-devs" });
      const read = await policy("t1-read", "s3:GetObject");
      const list = await policy("t1-list", "s3:ListBucket");
      const sqs = await policy("t1-sqs", "sqs:*");
      await s.mutate("attachGroupPolicy", { groupName: "t1-ops", policyArn: sqs });

      const client = s.wsClient();
      const before = s.subscriptions();
      const a = await subscribeWs(client, permissions, { arn: alice });
      const b = await subscribeWs(client, permissions, { arn: bob });
      const d = await subscribeSse(s.url, decision, { arn: alice });
      const devsChanges = await subscribeWs(client, entity, { arn: devs });
      const created = await subscribeSse(s.url, tail, { filter: { types: ["UserCreated"], entityArn: null } });
      await untilSubscribers(s, before + 5);

      await s.mutate("attachGroupPolicy", { groupName: "t1-devs", policyArn: read });
      await user("t1-carol"); // unrelated: nothing for alice or bob
      await s.mutate("attachUserPolicy", { userName: "t1-carol", policyArn: read });
      await s.mutate("putGroupPolicy", { groupName: "t1-devs", policyName: "t1-put", policyDocument: allow("s3:PutObject") });
      await s.mutate("createPolicyVersion", { policyArn: read, policyDocument: allow("s3:Get*"), setAsDefault: true }, "PolicyVersionPayload");
      await s.mutate("attachUserPolicy", { userName: "t1-alice", policyArn: list });
      await s.mutate("addUserToGroup", { userName: "t1-alice", groupName: "t1-ops" });
      await s.mutate("removeUserFromGroup", { userName: "t1-alice", groupName: "t1-ops" });
      await s.mutate("putUserPermissionsBoundary", { userName: "t1-alice", permissionsBoundary: list });
      await s.mutate("deleteUserPermissionsBoundary", { userName: "t1-alice" });
      await s.mutate("detachGroupPolicy", { groupName: "t1-devs", policyArn: read });
      const sentinel = await s.mutate("attachUserPolicy", { userName: "t1-bob", policyArn: list });

      const got = (await a.waitFor(9)).map(summary);
      expect(got).toEqual([
        { cause: "ManagedPolicyAttached", entered: ["managed:t1-read@t1-devs"], left: [], updated: [] },
        { cause: "InlinePolicyPut", entered: ["inline:t1-put@t1-devs"], left: [], updated: [] },
        // The version moved by the default-version event of the command, not by its creation (issue 11, defect 6).
        { cause: "PolicyDefaultVersionSet", entered: [], left: [], updated: ["managed:t1-read:v2"] },
        { cause: "ManagedPolicyAttached", entered: ["managed:t1-list"], left: [], updated: [] },
        { cause: "UserAddedToGroup", entered: ["managed:t1-sqs@t1-ops"], left: [], updated: [] },
        { cause: "UserRemovedFromGroup", entered: [], left: ["managed:t1-sqs@t1-ops"], updated: [] },
        { cause: "PermissionsBoundaryPut", entered: ["boundary:t1-list"], left: [], updated: [] },
        { cause: "PermissionsBoundaryDeleted", entered: [], left: ["boundary:t1-list"], updated: [] },
        { cause: "ManagedPolicyDetached", entered: [], left: ["managed:t1-read@t1-devs"], updated: [] },
      ]);
      // Bob's first message is the sentinel: nothing before it was his.
      const [bobs] = await b.waitFor(1);
      expect(bobs.position).toBe(sentinel.position);
      expect(summary(bobs)).toEqual({ cause: "ManagedPolicyAttached", entered: ["managed:t1-list"], left: [], updated: [] });
      // Decisions flip only when allowed-ness does: the new default version still allows, so no message.
      expect((await d.waitFor(4)).map((m) => [m.before, m.after, m.cause.type])).toEqual([
        ["implicitDeny", "allowed", "ManagedPolicyAttached"],
        ["allowed", "implicitDeny", "PermissionsBoundaryPut"],
        ["implicitDeny", "allowed", "PermissionsBoundaryDeleted"],
        ["allowed", "implicitDeny", "ManagedPolicyDetached"],
      ]);
      expect((await devsChanges.waitFor(3)).map((m) => m.type)).toEqual(["ManagedPolicyAttached", "InlinePolicyPut", "ManagedPolicyDetached"]);
      expect((await created.waitFor(1)).map((m) => m.type)).toEqual(["UserCreated"]);
      // Markers, one per subscription: each one's next message must be its marker.
      const read2 = await s.mutate("attachUserPolicy", { userName: "t1-alice", policyArn: read }); // alice: permissions and decision
      const bobs2 = await s.mutate("attachUserPolicy", { userName: "t1-bob", policyArn: sqs });
      const devs2 = await s.mutate("putGroupPolicy", { groupName: "t1-devs", policyName: "t1-marker", policyDocument: allow("sns:*") });
      const created2 = (await s.mutate("createUser", { userName: "t1-marker" }, "UserPayload")).position;
      expect((await a.waitFor(10))[9]!.position).toBe(read2.position);
      expect((await b.waitFor(2))[1]!.position).toBe(bobs2.position);
      expect((await d.waitFor(5)).map((m) => [m.position, m.after])[4]).toEqual([read2.position, "allowed"]);
      expect((await devsChanges.waitFor(4))[3]!.position).toBe(devs2.position);
      expect((await created.waitFor(2))[1]!.position).toBe(created2);
      for (const c of [a, b, d, devsChanges, created]) c.stop();
    });

    test("a deletion is a change; a principal subscribed before it exists is followed from its creation", async () => {
      const arn = `arn:aws:iam::123456789012:user/t2-erin`;
      const client = s.wsClient();
      const before = s.subscriptions();
      const sub = await subscribeWs(client, permissions, { arn });
      await untilSubscribers(s, before + 1);
      const read = await policy("t2-read", "s3:GetObject");
      await user("t2-erin");
      await s.mutate("attachUserPolicy", { userName: "t2-erin", policyArn: read });
      await s.mutate("detachUserPolicy", { userName: "t2-erin", policyArn: read });
      await s.mutate("deleteUser", { userName: "t2-erin" });
      const got = await sub.waitFor(4);
      expect(got.map((m) => [m.cause.type, m.principalExists])).toEqual([
        ["UserCreated", true],
        ["ManagedPolicyAttached", true],
        ["ManagedPolicyDetached", true],
        ["UserDeleted", false],
      ]);
      sub.stop();
    });

    test("resume after a disconnect delivers what was missed, then live, with no gap and no duplicate", async () => {
      const dave = await user("t3-dave");
      const p1 = await policy("t3-p1", "s3:GetObject");
      const p2 = await policy("t3-p2", "s3:PutObject");
      const client = s.wsClient();
      let before = s.subscriptions();
      const first = await subscribeWs(client, permissions, { arn: dave });
      const ent = await subscribeWs(client, entity, { arn: dave });
      await untilSubscribers(s, before + 2);
      await s.mutate("attachUserPolicy", { userName: "t3-dave", policyArn: p1 });
      const [m1] = await first.waitFor(1);
      const [e1] = await ent.waitFor(1);
      first.stop();
      ent.stop();
      await client.dispose(); // the network drops

      await s.mutate("attachUserPolicy", { userName: "t3-dave", policyArn: p2 });
      await s.mutate("putUserPolicy", { userName: "t3-dave", policyName: "t3-inline", policyDocument: allow("sqs:*") });

      const again = s.wsClient();
      before = s.subscriptions();
      const resumed = await subscribeWs(again, permissions, { arn: dave, after: m1.position });
      const entResumed = await subscribeSse(s.url, entity, { arn: dave, after: e1.position });
      await untilSubscribers(s, before + 2);
      await s.mutate("detachUserPolicy", { userName: "t3-dave", policyArn: p1 });
      const got = await resumed.waitFor(3);
      expect(got.map(summary)).toEqual([
        { cause: "ManagedPolicyAttached", entered: ["managed:t3-p2"], left: [], updated: [] },
        { cause: "InlinePolicyPut", entered: ["inline:t3-inline"], left: [], updated: [] },
        { cause: "ManagedPolicyDetached", entered: [], left: ["managed:t3-p1"], updated: [] },
      ]);
      expect((await entResumed.waitFor(3)).map((m) => m.type)).toEqual(["ManagedPolicyAttached", "InlinePolicyPut", "ManagedPolicyDetached"]);
      // No duplicate after: the next message of each is a later marker.
      const marker = await s.mutate("attachUserPolicy", { userName: "t3-dave", policyArn: p1 });
      expect((await resumed.waitFor(4))[3]!.position).toBe(marker.position);
      expect((await entResumed.waitFor(4))[3]!.position).toBe(marker.position);
      const positions = got.map((m) => m.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(positions[0]).toBeGreaterThan(m1.position);
      resumed.stop();
      entResumed.stop();
    });

    test("a tail resumed while writes race sees every event once, in order", async () => {
      const start = (await readAll(s.db.prisma, 0, 100_000)).at(-1)?.position ?? 0;
      const writes = Array.from({ length: 30 }, (_, i) => user(`t4-u${i}`));
      const client = s.wsClient();
      const sub = await subscribeWs(client, tail, { filter: { streamId: null }, after: start });
      await Promise.all(writes);
      const log = (await readAll(s.db.prisma, start, 100_000)).map((e) => e.position);
      const got = (await sub.waitFor(log.length)).map((m) => m.position);
      expect(got).toEqual(log);
      const marker = (await s.mutate("createUser", { userName: "t4-marker" }, "UserPayload")).position;
      expect((await sub.waitFor(log.length + 1))[log.length]!.position).toBe(marker);
      sub.stop();
    });

    test("read your writes: a query with consistency.atLeast sees the mutation; a position never reached times out with a typed error", async () => {
      const created = await s.mutate("createUser", { userName: "t5-fay" }, "UserPayload");
      // A mutation reports, in extensions, a position that already covers its own change.
      const tagged = await s.request(`mutation { tagUser(userName: "t5-fay", tags: [{ key: "k", value: "v" }]) { __typename ... on UserPayload { position } } }`);
      expect(tagged.extensions.position).toBeGreaterThanOrEqual(tagged.data.tagUser.position);
      const q = `{ user(userName: "t5-fay") { userName } }`;
      const viaExtensions = await s.request(q, {}, { extensions: { consistency: { atLeast: created.position } } });
      expect(viaExtensions.data.user.userName).toBe("t5-fay");
      expect(viaExtensions.extensions.position).toBeGreaterThanOrEqual(created.position);
      const viaHeader = await s.request(q, {}, { headers: { "x-iamgraph-at-least": String(created.position) } });
      expect(viaHeader.data.user.userName).toBe("t5-fay");
      const t0 = Date.now();
      const tooFar = await s.request(q, {}, { extensions: { consistency: { atLeast: created.position + 1_000_000, timeoutMs: 100 } } });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(tooFar.data).toBeUndefined();
      expect(tooFar.errors?.[0].extensions.code).toBe("ConsistencyTimeout");
      const bad = await s.request(q, {}, { extensions: { consistency: { atLeast: "soon" } } });
      expect(bad.errors?.[0].extensions.code).toBe("InvalidInput");
    });

    test("1,000 concurrent subscriptions on one server: a group change reaches every member's subscribers once", async () => {
      const members = 100;
      await s.mutate("createGroup", { groupName: "t6-all" }, "GroupPayload");
      const arns: string[] = [];
      for (let i = 0; i < members; i++) {
        arns.push(await user(`t6-u${i}`));
        await s.mutate("addUserToGroup", { userName: `t6-u${i}`, groupName: "t6-all" });
      }
      const read = await policy("t6-read", "s3:GetObject");
      const clients = Array.from({ length: 10 }, () => s.wsClient());
      const before = s.subscriptions();
      const hubBefore = s.app.live.stats().subscribers;
      const subs = await Promise.all(Array.from({ length: 1000 }, (_, i) => subscribeWs(clients[i % 10]!, permissions, { arn: arns[i % members] })));
      await untilSubscribers(s, before + 1000, 30_000);
      // Identical subscriptions (same query, variables and caller) share one hub stream: ten per principal.
      expect(s.app.live.stats().subscribers - hubBefore).toBe(members);
      const attached = await s.mutate("attachGroupPolicy", { groupName: "t6-all", policyArn: read });
      // Once: each subscriber's next message after the change is a later marker change.
      const detached = await s.mutate("detachGroupPolicy", { groupName: "t6-all", policyArn: read });
      const delivered = await Promise.all(subs.map((sub) => sub.waitFor(2, 20_000)));
      for (const messages of delivered) expect(messages.slice(0, 2).map((m) => m.position)).toEqual([attached.position, detached.position]);
      subs.forEach((sub) => sub.stop());
    });
  });
}

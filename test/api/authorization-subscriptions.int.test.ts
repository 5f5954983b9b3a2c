import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, createCaller as createCallerOn, policyOf, type CallerHost, type CallerSpec } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { settle, startLiveServer, subscribeSse, subscribeWs, untilIdle, untilSubscribers, type LiveServer } from "../support/live-server.js";

// Subscriptions are authorized when they start and closed when the subscriber loses the
// permission (issue 6, part 2): the last message is AccessDenied with AWS's message, nothing
// committed after the revocation reaches the subscriber, and the server lets the stream go.

const ACCOUNT = "123456789012";
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
const denied = (caller: string, action: string, resource: string, why: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
const noIdentityAllow = (action: string) => `because no identity-based policy allows the ${action} action`;
const within = <T>(p: Promise<T>, ms = 5000) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);
const errorsOf = (errors: unknown[]) => (errors[0] as { message: string; extensions?: { code?: string } }[]).map((e) => ({ code: e.extensions?.code, message: e.message }));

describe.each(backends)("authorized subscriptions on $name", (backend) => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await startLiveServer(backend);
  });
  afterAll(() => s?.close());
  /** Callers made by root through the server's own HTTP endpoint. */
  const createCaller = (_: LiveServer, spec: CallerSpec) => createCallerOn({ client: { request: (q, v) => s.request(q, v) } } as CallerHost, spec);

  test("refused when it starts, over WebSocket and SSE alike", async () => {
    const c = await createCaller(s, { userName: "no-tail", policies: [policyOf(allow("iam:*"))] });
    const expected = [{ code: "AccessDenied", message: denied(c.arn, "iamgraph:ListEvents", "*", noIdentityAllow("iamgraph:ListEvents")) }];
    const ws = await subscribeWs(s.wsClient(c.authorization), `subscription { events { type } }`);
    await within(ws.done);
    expect(errorsOf(ws.errors)).toEqual(expected);
    const sse = await subscribeSse(s.url, `subscription { events { type } }`, {}, c.authorization);
    await within(sse.done);
    expect(errorsOf(sse.errors)).toEqual(expected);
    expect(s.subscriptions()).toBe(0);
  });

  test("closed with AccessDenied when the subscriber loses the permission; nothing after it is delivered", async () => {
    const c = await createCaller(s, { userName: "tail-reader", policies: [policyOf(allow("iamgraph:ListEvents"))] });
    const tail = await subscribeWs(s.wsClient(c.authorization), `subscription { events(filter: { types: ["GroupCreated"] }) { type payload } }`);
    await untilSubscribers(s, 2); // the tail and the watch on its permission
    await s.mutate("createGroup", { groupName: "SeenGroup" }, "GroupPayload");
    expect((await tail.waitFor(1))[0].payload.groupName).toBe("SeenGroup");

    await s.mutate("deleteUserPolicy", { userName: "tail-reader", policyName: "policy-1" });
    await within(tail.done);
    expect(errorsOf(tail.errors)).toEqual([{ code: "AccessDenied", message: denied(c.arn, "iamgraph:ListEvents", "*", noIdentityAllow("iamgraph:ListEvents")) }]);
    await s.mutate("createGroup", { groupName: "UnseenGroup" }, "GroupPayload");
    await settle(100);
    expect(tail.messages.map((m) => m.payload.groupName)).toEqual(["SeenGroup"]);
    await untilIdle(s);
  });

  test("an idle subscription is closed too, as soon as the change that revokes it commits", async () => {
    await s.mutate("createGroup", { groupName: "Watched" }, "GroupPayload");
    const c = await createCaller(s, { userName: "watcher", groups: [], policies: [policyOf(allow("iamgraph:GetHistory", arn("group/Watched")))] });
    const watch = await subscribeWs(s.wsClient(c.authorization), `subscription ($a: String!) { entityChanged(arn: $a) { type } }`, { a: arn("group/Watched") });
    await untilSubscribers(s, 2);
    // The revoking change is on the watcher, not on the watched group: no message would wake the stream.
    await s.mutate("putUserPolicy", {
      userName: "watcher",
      policyName: "policy-2",
      policyDocument: JSON.stringify(policyOf({ Effect: "Deny", Action: "iamgraph:*", Resource: "*" })),
    });
    await within(watch.done);
    expect(watch.messages).toEqual([]);
    expect(errorsOf(watch.errors)).toEqual([
      { code: "AccessDenied", message: `User: ${c.arn} is not authorized to perform: iamgraph:GetHistory on resource: ${arn("group/Watched")} with an explicit deny in an identity-based policy` },
    ]);
    await untilIdle(s);
  });

  test("a change that leaves the permission in place keeps the subscription open", async () => {
    const c = await createCaller(s, { userName: "steady", policies: [policyOf(allow("iamgraph:ListEvents"))] });
    const tail = await subscribeWs(s.wsClient(c.authorization), `subscription { events(filter: { types: ["GroupCreated"] }) { payload } }`);
    await untilSubscribers(s, 2);
    await s.mutate("tagUser", { userName: "steady" } as never).catch(() => undefined); // no tags: refused, changes nothing
    await s.mutate("putUserPolicy", { userName: "steady", policyName: "extra", policyDocument: JSON.stringify(policyOf(allow("iam:GetUser"))) });
    await s.mutate("createGroup", { groupName: "AfterChange" }, "GroupPayload");
    expect((await tail.waitFor(1))[0].payload.groupName).toBe("AfterChange");
    expect(tail.errors).toEqual([]);
    tail.stop();
    await untilIdle(s);
  });
});

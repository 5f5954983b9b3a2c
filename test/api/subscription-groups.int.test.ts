import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import { backends } from "../support/databases.js";
import { rootAuthorization } from "../support/root-key.js";
import { settle, startLiveServer, subscribeWs, untilIdle, untilSubscribers, type LiveServer } from "../support/live-server.js";

// Shared subscriptions over real graphql-ws clients: identical live subscriptions, even on
// different sockets, ride one hub stream; each still receives every change once under its own id
// and leaves on its own; a resume (`after:`) never shares, because its catch-up is its own.

const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const permissions = `subscription ($arn: String!, $after: Position) {
  permissionsChanged(principalArn: $arn, after: $after) { position cause { type } entered { kind policyName } }
}`;

for (const backend of backends) {
  describe(`shared subscriptions over graphql-ws (${backend.name})`, () => {
    let s: LiveServer;
    beforeAll(async () => {
      s = await startLiveServer(backend);
    });
    afterAll(async () => {
      await s?.close();
    });
    afterEach(async () => {
      await untilIdle(s);
    });

    const hub = () => s.app.live.stats().subscribers;
    const user = async (userName: string) => (await s.mutate("createUser", { userName }, "UserPayload")).user.arn as string;
    const policy = async (policyName: string, action: string) => (await s.mutate("createPolicy", { policyName, policyDocument: allow(action) }, "PolicyPayload")).policy.arn as string;
    const attach = (userName: string, policyArn: string) => s.mutate("attachUserPolicy", { userName, policyArn });

    test("identical subscriptions on two sockets share one hub stream; each gets every change once; a resume is not merged", async () => {
      const arn = await user("sg-alice");
      const [p1, p2, p3] = [await policy("sg-p1", "s3:GetObject"), await policy("sg-p2", "s3:PutObject"), await policy("sg-p3", "sqs:*")];
      const one = s.wsClient();
      const two = s.wsClient();
      const before = s.subscriptions();
      const hubBefore = hub();
      // a1 is subscribed first: its stream becomes the group's upstream.
      const a1 = await subscribeWs(one, permissions, { arn });
      const a2 = await subscribeWs(one, permissions, { arn });
      const b = await subscribeWs(two, permissions, { arn });
      await untilSubscribers(s, before + 3);
      // The joiners' own streams are let go asynchronously: wait for the hub to settle at one.
      await vi.waitFor(() => expect(hub() - hubBefore).toBe(1), { timeout: 5000 });
      expect(s.subscriptions() - before).toBe(3);

      const first = await attach("sg-alice", p1);
      for (const sub of [a1, a2, b]) await sub.waitFor(1);
      await settle(100);
      for (const sub of [a1, a2, b]) {
        expect(sub.errors).toEqual([]);
        expect(sub.messages.map((m) => [m.position, m.cause.type, m.entered.map((p: any) => p.policyName)])).toEqual([[first.position, "ManagedPolicyAttached", ["sg-p1"]]]);
      }

      // The upstream's own subscriber leaves: the group, and its stream, serve the others on.
      a1.stop();
      await vi.waitFor(() => expect(s.subscriptions() - before).toBe(2), { timeout: 5000 });
      expect(hub() - hubBefore).toBe(1);
      const second = await attach("sg-alice", p2);
      for (const sub of [a2, b]) await sub.waitFor(2);
      await settle(100);
      expect(a1.messages.map((m) => m.position)).toEqual([first.position]);
      for (const sub of [a2, b]) expect(sub.messages.map((m) => m.position)).toEqual([first.position, second.position]);

      // Two identical resumes from the first change, one after the other: each replays the second
      // change from the log. Had the later one joined the earlier, its catch-up would be lost.
      const r1 = await subscribeWs(one, permissions, { arn, after: first.position });
      expect((await r1.waitFor(1)).map((m) => m.position)).toEqual([second.position]);
      const r2 = await subscribeWs(two, permissions, { arn, after: first.position });
      expect((await r2.waitFor(1)).map((m) => m.position)).toEqual([second.position]);
      await untilSubscribers(s, before + 4);
      expect(hub() - hubBefore).toBe(3);

      // Live again: the next change reaches all four once, the resumes past their catch-up.
      const third = await attach("sg-alice", p3);
      for (const sub of [a2, b, r1, r2]) await sub.waitFor(sub === a2 || sub === b ? 3 : 2);
      await settle(100);
      for (const sub of [a2, b]) expect(sub.messages.map((m) => m.position)).toEqual([first.position, second.position, third.position]);
      for (const sub of [r1, r2]) expect(sub.messages.map((m) => m.position)).toEqual([second.position, third.position]);
      for (const sub of [a1, a2, b, r1, r2]) expect(sub.errors).toEqual([]);

      for (const sub of [a2, b, r1, r2]) sub.stop();
      await untilIdle(s);
      expect(s.subscriptions()).toBe(0);
      expect(hub()).toBe(0);
    });

    test("on the wire: members of a group get byte-identical text frames but for their id; another selection gets its own payload", async () => {
      const arn = await user("sg-carol");
      const bystander = await user("sg-dave");
      const read = await policy("sg-c1", "s3:GetObject");
      // A bare graphql-transport-ws client: graphql-ws's own would parse a binary frame too, a browser would not.
      const socket = new WebSocket(s.wsUrl, "graphql-transport-ws");
      const frames: { text: string; binary: boolean }[] = [];
      socket.on("message", (data, isBinary) => void frames.push({ text: String(data), binary: isBinary }));
      await new Promise((resolve) => socket.once("open", resolve));
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: rootAuthorization } }));
      await vi.waitFor(() => expect(frames.map((f) => JSON.parse(f.text).type)).toContain("connection_ack"));
      const before = s.subscriptions();
      const other = `subscription ($arn: String!) { permissionsChanged(principalArn: $arn) { position principalArn } }`;
      // g1 and g2 share a group; o1 (another selection) and v1 (another principal) do not.
      for (const [id, query, who] of [["g1", permissions, arn], ["g2", permissions, arn], ["o1", other, arn], ["v1", permissions, bystander]] as const) {
        socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables: { arn: who } } }));
      }
      await untilSubscribers(s, before + 4);
      const change = await attach("sg-carol", read);
      await vi.waitFor(() => expect(frames.filter((f) => JSON.parse(f.text).type === "next")).toHaveLength(3), { timeout: 5000 });
      const next = new Map(frames.filter((f) => JSON.parse(f.text).type === "next").map((f) => [JSON.parse(f.text).id as string, f]));
      for (const f of next.values()) expect(f.binary).toBe(false);
      const payload = (id: string) => next.get(id)!.text.replace(`{"id":"${id}",`, "{");
      expect(payload("g1")).toBe(payload("g2"));
      expect(JSON.parse(next.get("g1")!.text).payload.data.permissionsChanged).toEqual({ position: change.position, cause: { type: "ManagedPolicyAttached" }, entered: [{ kind: "managed", policyName: "sg-c1" }] });
      expect(JSON.parse(next.get("o1")!.text).payload.data.permissionsChanged).toEqual({ position: change.position, principalArn: arn });
      await settle(100);
      expect(frames.filter((f) => JSON.parse(f.text).type === "next").map((f) => JSON.parse(f.text).id).sort()).toEqual(["g1", "g2", "o1"]);
      socket.close();
      await vi.waitFor(() => expect(s.subscriptions()).toBe(before), { timeout: 5000 });
    });

    test("a shared group with one member per socket: closing one socket leaves the other subscribed", async () => {
      const arn = await user("sg-bob");
      const read = await policy("sg-b1", "s3:GetObject");
      const list = await policy("sg-b2", "s3:ListBucket");
      const one = s.wsClient();
      const two = s.wsClient();
      const before = s.subscriptions();
      const x = await subscribeWs(one, permissions, { arn });
      const y = await subscribeWs(two, permissions, { arn });
      await untilSubscribers(s, before + 2);
      const first = await attach("sg-bob", read);
      await x.waitFor(1);
      await y.waitFor(1);
      // The network drops for the upstream's socket: graphql-ws returns its member's iterator.
      await one.dispose();
      await vi.waitFor(() => expect(s.subscriptions() - before).toBe(1), { timeout: 5000 });
      const second = await attach("sg-bob", list);
      await y.waitFor(2);
      await settle(100);
      expect(x.messages.map((m) => m.position)).toEqual([first.position]);
      expect(y.messages.map((m) => m.position)).toEqual([first.position, second.position]);
      y.stop();
    });
  });
}

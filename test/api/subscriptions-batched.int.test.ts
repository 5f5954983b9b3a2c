import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backends } from "../support/databases.js";
import { startLiveServer, subscribeWs, untilSubscribers, type LiveServer } from "../support/live-server.js";

// Commands waiting for the write lock commit together (group commit). Each must still reach a
// subscriber as its own change, with its own cause: the hub reads the principal's set inside the
// writing transaction, not after the commit, when the next command's change is already there.

const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const permissions = `subscription ($arn: String!) {
  permissionsChanged(principalArn: $arn) { position cause { type position } entered { policyName } left { policyName } }
}`;

for (const backend of backends) {
  describe(`permissionsChanged under group commit (${backend.name})`, () => {
    let s: LiveServer;
    beforeAll(async () => {
      s = await startLiveServer(backend);
    });
    afterAll(async () => {
      await s?.close();
    });

    test("changes committed in one transaction arrive one by one, each with its own cause", async () => {
      const alice = (await s.mutate("createUser", { userName: "gc-alice" }, "UserPayload")).user.arn as string;
      const names = ["gc-a", "gc-b", "gc-c", "gc-d", "gc-e", "gc-f"];
      const arns: string[] = [];
      for (const name of names) arns.push((await s.mutate("createPolicy", { policyName: name, policyDocument: allow("s3:GetObject") }, "PolicyPayload")).policy.arn);
      const client = s.wsClient();
      const before = s.subscriptions();
      const sub = await subscribeWs(client, permissions, { arn: alice });
      await untilSubscribers(s, before + 1);

      const batchesBefore = s.app.commands.stats().batches;
      // Handed to the pipeline in one tick: they queue on the writer and share transactions.
      const results = await Promise.all(
        arns.map((policyArn) => s.app.commands.handle({ type: "AttachPolicy", entityType: "user", entityName: "gc-alice", policyArn }, { actor: "test" })),
      );

      const got = await sub.waitFor(names.length);
      expect(got.map((m: any) => m.entered.map((p: any) => p.policyName))).toEqual(
        [...results].map((r, i) => ({ r, name: names[i]! })).sort((x, y) => x.r.position - y.r.position).map((x) => [x.name]),
      );
      expect(got.map((m: any) => m.cause.position)).toEqual(results.map((r) => r.position).sort((a, b) => a - b));
      // They did share transactions, or this test proves nothing.
      expect(s.app.commands.stats().batches - batchesBefore).toBeLessThan(names.length);
      await client.dispose();
    });
  });
}

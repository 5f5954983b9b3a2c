import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandPipeline, type CommandPipeline } from "../../src/app/command-pipeline.js";
import type { Command } from "../../src/app/command.js";
import { Authorizer } from "../../src/authz/authorizer.js";
import { CompiledPolicyCache } from "../../src/authz/compiled-policy-cache.js";
import type { StoredEvent } from "../../src/eventstore/stored-event.js";
import { createInProcessBus, type EventBus } from "../../src/messaging/event-bus.js";
import { LiveHub } from "../../src/messaging/live-hub.js";
import type { PermissionsChange } from "../../src/messaging/messages.js";
import type { LiveStream } from "../../src/messaging/live-stream.js";
import { backends, type TestDatabase } from "../support/databases.js";

// The hub hears of events only from its feed, possibly late and possibly several commands in one
// batch (a group commit, a tailer catching up). Each command's change must still arrive as its
// own message, under the event that made it — never two changes merged under the first one's
// cause. Here the test is the feed: it commits first, then hands the hub the events as it likes.

const account = "123456789012";
const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const summary = (m: PermissionsChange) => ({
  position: m.position,
  cause: `${m.cause.type}@${m.cause.position}`,
  entered: m.entered.map((p) => p.policyName),
  left: m.left.map((p) => p.policyName),
  updated: m.updated.map((p) => p.policyName),
});

describe.each(backends)("live hub fed late or in batches, on $name", (backend) => {
  let db: TestDatabase;
  let pipeline: CommandPipeline;
  let bus: EventBus;
  let hub: LiveHub;
  const run = async (command: Command): Promise<StoredEvent[]> => [...(await pipeline.handle(command, { actor: `arn:aws:iam::${account}:root` })).events];
  const put = (userOrGroup: "user" | "group", entityName: string, policyName: string) =>
    run({ type: "PutInlinePolicy", entityType: userOrGroup, entityName, policyName, policyDocument: allow(`s3:${policyName}`) });
  const take = async (stream: LiveStream<PermissionsChange>, n: number) => {
    const out: PermissionsChange[] = [];
    while (out.length < n) {
      const r = await Promise.race([stream.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${out.length} of ${n} messages`)), 10_000))]);
      out.push(r.value);
    }
    return out.map(summary);
  };

  beforeAll(async () => {
    db = await backend.open();
    pipeline = createCommandPipeline({ db, accountId: account, logger: pino({ level: "silent" }) });
    bus = createInProcessBus();
    hub = new LiveHub(db.prisma, bus, new Authorizer(new CompiledPolicyCache(db.prisma)));
  });
  afterAll(async () => {
    hub?.close();
    await db?.dispose();
  });

  test("two commands delivered late, one batch each: two messages, each as of its own command", async () => {
    const created = await run({ type: "CreateUser", userName: "late", path: "/", tags: [] });
    bus.publish(created);
    const stream = await hub.permissionsChanged(`arn:aws:iam::${account}:user/late`);
    const first = await put("user", "late", "one");
    const second = await put("user", "late", "two");
    // The second has committed before the hub hears of the first: the present holds both.
    bus.publish(first);
    bus.publish(second);
    expect(await take(stream, 2)).toEqual([
      { position: first[0]!.position, cause: `InlinePolicyPut@${first[0]!.position}`, entered: ["one"], left: [], updated: [] },
      { position: second[0]!.position, cause: `InlinePolicyPut@${second[0]!.position}`, entered: ["two"], left: [], updated: [] },
    ]);
    await stream.return?.();
  });

  test("two commands in one batch, the second on a group the first joined: two messages", async () => {
    await run({ type: "CreateGroup", groupName: "g-batch", path: "/" });
    await put("group", "g-batch", "held");
    const created = await run({ type: "CreateUser", userName: "batched", path: "/", tags: [] });
    bus.publish(created);
    const stream = await hub.permissionsChanged(`arn:aws:iam::${account}:user/batched`);
    const joined = await run({ type: "AddUserToGroup", userName: "batched", groupName: "g-batch" });
    const onGroup = await put("group", "g-batch", "added");
    bus.publish([...joined, ...onGroup]);
    expect(await take(stream, 2)).toEqual([
      { position: joined[0]!.position, cause: `UserAddedToGroup@${joined[0]!.position}`, entered: ["held"], left: [], updated: [] },
      { position: onGroup[0]!.position, cause: `InlinePolicyPut@${onGroup[0]!.position}`, entered: ["added"], left: [], updated: [] },
    ]);
    await stream.return?.();
  });

  test("a group left while the hub lagged still matches the change made on it before", async () => {
    await run({ type: "CreateGroup", groupName: "g-left", path: "/" });
    const created = await run({ type: "CreateUser", userName: "leaver", path: "/", tags: [] });
    const joined = await run({ type: "AddUserToGroup", userName: "leaver", groupName: "g-left" });
    bus.publish([...created, ...joined]);
    const stream = await hub.permissionsChanged(`arn:aws:iam::${account}:user/leaver`);
    // Processing `own`, the hub reads the present, where the user is no longer in the group:
    // the group must stay watched for the change made on it before the user left.
    const own = await put("user", "leaver", "own");
    const onGroup = await put("group", "g-left", "brief");
    const left = await run({ type: "RemoveUserFromGroup", userName: "leaver", groupName: "g-left" });
    bus.publish(own);
    bus.publish(onGroup);
    bus.publish(left);
    expect(await take(stream, 3)).toEqual([
      { position: own[0]!.position, cause: `InlinePolicyPut@${own[0]!.position}`, entered: ["own"], left: [], updated: [] },
      { position: onGroup[0]!.position, cause: `InlinePolicyPut@${onGroup[0]!.position}`, entered: ["brief"], left: [], updated: [] },
      { position: left[0]!.position, cause: `UserRemovedFromGroup@${left[0]!.position}`, entered: [], left: ["brief"], updated: [] },
    ]);
    await stream.return?.();
  });

  test("a resume names the event of the command that made the change, not the command's first", async () => {
    const created = await run({ type: "CreateUser", userName: "versioned", path: "/", tags: [] });
    const policy = await run({ type: "CreatePolicy", policyName: "versioned-p", path: "/", policyDocument: allow("s3:A"), description: "", tags: [] });
    const arn = (policy[0]!.data as { arn: string }).arn;
    const attached = await run({ type: "AttachPolicy", entityType: "user", entityName: "versioned", policyArn: arn });
    const moved = await run({ type: "CreatePolicyVersion", policyArn: arn, policyDocument: allow("s3:B"), setAsDefault: true });
    expect(moved.map((e) => e.type)).toEqual(["PolicyVersionCreated", "PolicyDefaultVersionSet"]);
    bus.publish([...created, ...policy, ...attached, ...moved]);
    const stream = await hub.permissionsChanged(`arn:aws:iam::${account}:user/versioned`, { after: attached.at(-1)!.position });
    expect(await take(stream, 1)).toEqual([{ position: moved[1]!.position, cause: `PolicyDefaultVersionSet@${moved[1]!.position}`, entered: [], left: [], updated: ["versioned-p"] }]);
    await stream.return?.();
  });

  test("a decision flipped and flipped back by two commands of one batch: both flips, each under its command", async () => {
    const created = await run({ type: "CreateUser", userName: "flipper", path: "/", tags: [] });
    const read = await put("user", "flipper", "GetObject");
    const boundary = await run({ type: "CreatePolicy", policyName: "flipper-list", path: "/", policyDocument: allow("s3:ListBucket"), description: "", tags: [] });
    bus.publish([...created, ...read, ...boundary]);
    const request = { principalArn: `arn:aws:iam::${account}:user/flipper`, action: "s3:GetObject", resource: "*" };
    const flips = await hub.decisionChanged(request);
    const first = flips.next();
    // The hub's first evaluation (allowed) is queued before the batch below.
    const put_ = await run({ type: "PutPermissionsBoundary", entityType: "user", entityName: "flipper", policyArn: (boundary[0]!.data as { arn: string }).arn });
    const deleted = await run({ type: "DeletePermissionsBoundary", entityType: "user", entityName: "flipper" });
    bus.publish([...put_, ...deleted]);
    const timeout = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no flip within 10 s")), 10_000));
    const one = (await Promise.race([first, timeout()])).value;
    const two = (await Promise.race([flips.next(), timeout()])).value;
    expect([one, two].map((m) => [m.position, m.before, m.after, m.cause?.type])).toEqual([
      [put_.at(-1)!.position, "allowed", "implicitDeny", "PermissionsBoundaryPut"],
      [deleted.at(-1)!.position, "implicitDeny", "allowed", "PermissionsBoundaryDeleted"],
    ]);
    await flips.return?.();
  });
});

import { afterAll, beforeAll, expect, it } from "vitest";
import { readAllRows } from "../../../src/eventstore/read.js";
import { eventMessage } from "../../../src/messaging/kafka/event-message.js";
import { kafkaClient, idempotentProducer } from "../../../src/messaging/kafka/client.js";
import { permissionChangesCheckpoint } from "../../../src/messaging/kafka/permission-changes-projection.js";
import { replayPermissionChanges } from "../../../src/messaging/permission-replay.js";
import type { Iamgraph } from "../../../src/runtime.js";
import { checkpointOf, cliEnv, startKafkaTestApp, createTopics, headOf, readTopic, silent, spawnCli, testKafkaConfig, until, type KafkaTestDatabase } from "./kafka-support.js";
import { describeKafka } from "./describe-kafka.js";

// `iamgraph relay` + `iamgraph project` as real processes: the permission_changes read model and
// the permission-changes topic say what a permissionsChanged resume says; a redelivered event changes neither.

describeKafka("iamgraph project", () => {
  let t: KafkaTestDatabase;
  let app: Iamgraph;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ t, app, close } = await startKafkaTestApp());
  });
  afterAll(async () => close?.());

  it("folds permission changes through the broker, publishes them keyed by principal, and ignores a duplicate", async () => {
    const config = testKafkaConfig({ partitions: 1 });
    await createTopics(config);
    const env = cliEnv(t.url, config);
    const relay = spawnCli(["relay"], env);
    const worker = spawnCli(["project"], env);
    try {
      await worker.waitForLine((l) => l.msg === "projection worker running");
      const actor = { actor: "arn:aws:iam::123456789012:root" };
      const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:GetUser", Resource: "*" }] });
      await app.commands.handle({ type: "CreateUser", userName: "pc", path: "/", tags: [] }, actor);
      await app.commands.handle({ type: "PutInlinePolicy", entityType: "user", entityName: "pc", policyName: "r", policyDocument: doc } as never, actor);
      await app.commands.handle({ type: "DeleteInlinePolicy", entityType: "user", entityName: "pc", policyName: "r" } as never, actor);
      const head = await headOf(t.db);
      await until("the worker to reach the head", async () => (await checkpointOf(t.db, permissionChangesCheckpoint)) >= head);
      const arn = "arn:aws:iam::123456789012:user/pc";
      const expected = JSON.parse(JSON.stringify(await replayPermissionChanges(t.db.prisma, arn, 0, head)));
      const rows = await t.db.prisma.$queryRawUnsafe<{ change: unknown }[]>(`SELECT change FROM permission_changes WHERE principal_arn = $1 ORDER BY position`, arn);
      expect(rows.map((r) => r.change)).toEqual(expected);
      expect(expected.length).toBeGreaterThanOrEqual(2);
      await until("the topic to carry them", async () => (await checkpointOf(t.db, `relay:${config.permissionChangesTopic}`)) >= expected.at(-1).position);
      const before = await readTopic(config.brokers, config.permissionChangesTopic);
      expect(before.map((m) => JSON.parse(String(m.value)))).toEqual(expected);
      expect(before.every((m) => String(m.key) === arn)).toBe(true);

      // The whole log delivered a second time; then a marker change. The topic has one
      // partition, so the worker reaches the marker only after every duplicate (no sleep).
      const producer = idempotentProducer(kafkaClient(config, silent));
      await producer.connect();
      await producer.send({ topic: config.eventsTopic, messages: (await readAllRows(t.db.prisma, 0)).map(eventMessage) });
      await producer.disconnect();
      await app.commands.handle({ type: "PutInlinePolicy", entityType: "user", entityName: "pc", policyName: "marker", policyDocument: doc } as never, actor);
      const marked = await headOf(t.db);
      await until("the worker to pass the marker", async () => (await checkpointOf(t.db, permissionChangesCheckpoint)) >= marked);
      const withMarker = JSON.parse(JSON.stringify(await replayPermissionChanges(t.db.prisma, arn, 0, marked)));
      expect(withMarker).toHaveLength(expected.length + 1);
      const again = await t.db.prisma.$queryRawUnsafe<{ change: unknown }[]>(`SELECT change FROM permission_changes ORDER BY position`);
      expect(again.map((r) => r.change)).toEqual(withMarker);
      await until("the marker on the topic", async () => (await checkpointOf(t.db, `relay:${config.permissionChangesTopic}`)) >= marked);
      expect((await readTopic(config.brokers, config.permissionChangesTopic)).map((m) => JSON.parse(String(m.value)))).toEqual(withMarker);
    } finally {
      await worker.kill();
      await relay.kill();
    }
  });
});

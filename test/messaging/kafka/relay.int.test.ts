import { afterAll, beforeAll, expect, it } from "vitest";
import { logLineOf } from "../../../src/eventstore/log-file.js";
import { readAllRows } from "../../../src/eventstore/read.js";
import { decodeEventMessage } from "../../../src/messaging/kafka/event-message.js";
import { permissionChangesCheckpoint } from "../../../src/messaging/kafka/permission-changes-projection.js";
import { replayPermissionChanges } from "../../../src/messaging/permission-replay.js";
import type { Iamgraph } from "../../../src/runtime.js";
import { checkpointOf, cliEnv, startKafkaTestApp, createTopics, headOf, readTopic, spawnCli, testKafkaConfig, until, type KafkaTestDatabase } from "./kafka-support.js";
import { describeKafka } from "./describe-kafka.js";

// The relay as a real process (`iamgraph relay`) against the real broker.

describeKafka("iamgraph relay", () => {
  let t: KafkaTestDatabase;
  let app: Iamgraph;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ t, app, close } = await startKafkaTestApp());
  });
  afterAll(async () => close?.());
  const actor = { actor: "arn:aws:iam::123456789012:root" };
  const createUsers = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) await app.commands.handle({ type: "CreateUser", userName: `${prefix}-${i}`, path: "/", tags: [] }, actor);
  };
  /** Users, every other one granted an inline policy (a permission change to project). */
  const writeAndGrant = async (prefix: string, n: number) => {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    for (let i = 0; i < n; i++) {
      await app.commands.handle({ type: "CreateUser", userName: `${prefix}-${i}`, path: "/", tags: [] }, actor);
      if (i % 2 === 0) await app.commands.handle({ type: "PutInlinePolicy", entityType: "user", entityName: `${prefix}-${i}`, policyName: "read", policyDocument: doc } as never, actor);
    }
  };

  it("publishes every committed event in position order: key = stream id, headers, value = the NDJSON log line; checkpointed after the ack", async () => {
    const config = testKafkaConfig();
    await createTopics(config);
    await createUsers("contract", 6);
    const relay = spawnCli(["relay"], cliEnv(t.url, config));
    try {
      const head = await headOf(t.db);
      await until("the relay's checkpoint to reach the head", async () => (await checkpointOf(t.db, `relay:${config.eventsTopic}`)) >= head);
      // Checkpointed after the ack: everything up to the checkpoint is on the topic now.
      const messages = await readTopic(config.brokers, config.eventsTopic);
      const rows = await readAllRows(t.db.prisma, 0, 10_000);
      const byPosition = new Map(messages.map((m) => [Number(m.headers!.position!.toString()), m]));
      expect(messages).toHaveLength(rows.length);
      for (const row of rows) {
        const m = byPosition.get(Number(row.position))!;
        expect(m, `position ${row.position}`).toBeDefined();
        expect(m.key!.toString()).toBe(row.stream_id);
        expect(m.value!.toString()).toBe(logLineOf(row));
        expect(m.headers!.type!.toString()).toBe(row.type);
        expect(m.headers!["schema-version"]!.toString()).toBe(String(row.schema_version));
        expect(m.headers!.account!.toString()).toBe("123456789012");
      }
      // Position order within each partition (offsets ascend with positions).
      for (const partition of new Set(messages.map((m) => m.partition))) {
        const positions = messages
          .filter((m) => m.partition === partition)
          .sort((x, y) => Number(x.offset) - Number(y.offset))
          .map((m) => Number(m.headers!.position!.toString()));
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
      }
    } finally {
      await relay.kill();
    }
  });

  it("kill -9 mid-stream, a standby takes over: every event on the topic exactly once after dedupe, in order per stream; the projection equals a single-node fold", async () => {
    const config = testKafkaConfig({ relayBatchSize: 5 });
    await createTopics(config);
    const env = cliEnv(t.url, config);
    const a = spawnCli(["relay"], env);
    await a.waitForLine((l) => l.msg === "relay active");
    const b = spawnCli(["relay"], env);
    // A projection worker consuming through the kill: it sees the taken-over relay's re-sent tail.
    const worker = spawnCli(["project"], env);
    try {
      await b.waitForLine((l) => String(l.msg).includes("standby"));
      await worker.waitForLine((l) => l.msg === "projection worker running");
      const writing = writeAndGrant("kill", 40);
      await until("the relay to publish part of the log", async () => (await checkpointOf(t.db, `relay:${config.eventsTopic}`)) > 0);
      await a.kill("SIGKILL");
      await writing;
      await b.waitForLine((l) => l.msg === "relay active");
      const head = await headOf(t.db);
      await until("the standby to catch up", async () => (await checkpointOf(t.db, `relay:${config.eventsTopic}`)) >= head);
      const messages = await readTopic(config.brokers, config.eventsTopic);
      const events = messages.map((m) => decodeEventMessage(m)).map((d) => (d.ok ? d.event : undefined));
      expect(events.every(Boolean)).toBe(true);
      const positions = [...new Set(events.map((e) => e!.position))].sort((x, y) => x - y);
      const logPositions = (await t.db.prisma.$queryRawUnsafe<{ p: unknown }[]>(`SELECT position AS p FROM events ORDER BY position`)).map((r) => Number(r.p));
      expect(positions).toEqual(logPositions);
      // In order per stream: within a partition, first occurrences of a stream's versions only grow.
      const byStream = new Map<string, number>();
      const seen = new Set<number>();
      for (const m of messages.sort((x, y) => x.partition - y.partition || Number(x.offset) - Number(y.offset))) {
        const d = decodeEventMessage(m);
        if (!d.ok || seen.has(d.event.position)) continue;
        seen.add(d.event.position);
        expect(d.event.streamVersion).toBeGreaterThan(byStream.get(d.event.streamId) ?? 0);
        byStream.set(d.event.streamId, d.event.streamVersion);
      }

      // The read model the worker folded off the topic is what one process folds from the log.
      await until("the worker to reach the head", async () => (await checkpointOf(t.db, permissionChangesCheckpoint)) >= head);
      const principals = await t.db.prisma.$queryRawUnsafe<{ arn: string }[]>(`SELECT DISTINCT data->>'arn' AS arn FROM events WHERE type = 'UserCreated' AND data->>'userName' LIKE 'kill-%'`);
      const singleNode = (await Promise.all(principals.map((p) => replayPermissionChanges(t.db.prisma, p.arn, 0, head)))).flat();
      singleNode.sort((x, y) => x.position - y.position || x.principalArn.localeCompare(y.principalArn));
      const folded = await t.db.prisma.$queryRawUnsafe<{ change: unknown }[]>(
        `SELECT change FROM permission_changes WHERE principal_arn = ANY($1::text[]) ORDER BY position, principal_arn`,
        principals.map((p) => p.arn),
      );
      expect(principals).toHaveLength(40);
      expect(singleNode.filter((c) => c.entered.length > 0)).toHaveLength(20);
      expect(folded.map((r) => r.change)).toEqual(JSON.parse(JSON.stringify(singleNode)));
    } finally {
      await a.kill("SIGKILL");
      await b.kill();
      await worker.kill();
    }
  });
});

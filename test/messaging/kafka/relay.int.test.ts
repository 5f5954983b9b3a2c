import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/config.js";
import { logLineOf } from "../../../src/eventstore/log-file.js";
import { readAllRows } from "../../../src/eventstore/read.js";
import { decodeEventMessage } from "../../../src/messaging/kafka/event-message.js";
import { startIamgraph, type Iamgraph } from "../../../src/runtime.js";
import { testEnv } from "../../support/root-key.js";
import { checkpointOf, cliEnv, createTestDatabase, createTopics, describeKafka, headOf, readTopic, silent, spawnCli, testKafkaConfig, until, type KafkaTestDatabase } from "./kafka-support.js";

// The relay as a real process (`iamgraph relay`) against the real broker.

describeKafka("iamgraph relay", () => {
  let t: KafkaTestDatabase;
  let app: Iamgraph;
  beforeAll(async () => {
    t = await createTestDatabase();
    app = await startIamgraph(loadConfig(testEnv), { db: t.db, logger: silent });
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });
  const createUsers = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) await app.commands.handle({ type: "CreateUser", userName: `${prefix}-${i}`, path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });
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

  it("kill -9 mid-stream, a standby takes over: every event on the topic exactly once after dedupe, in order per stream", async () => {
    const config = testKafkaConfig({ relayBatchSize: 5 });
    await createTopics(config);
    const env = cliEnv(t.url, config);
    const a = spawnCli(["relay"], env);
    await a.waitForLine((l) => l.msg === "relay active");
    const b = spawnCli(["relay"], env);
    try {
      await b.waitForLine((l) => String(l.msg).includes("standby"));
      const writing = createUsers("kill", 40);
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
    } finally {
      await a.kill("SIGKILL");
      await b.kill();
    }
  });
});

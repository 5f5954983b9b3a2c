/**
 * The events relay (issue 12): events/s from the log to the topic, against the kafkajs
 * producer's ceiling on the same broker. Both send the same messages (eventMessage of each row,
 * batches of IAMGRAPH_KAFKA_RELAY_BATCH's default 1000) with the same idempotent producer and
 * acks = all; the relay adds reading the log in position order and writing its checkpoint.
 * Needs KAFKA_BROKERS (scripts/kafka.sh start) and PostgreSQL; skipped otherwise.
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import type { KafkaConfig } from "../src/config/config.js";
import { readAllRows } from "../src/eventstore/read.js";
import { ensureTopics, idempotentProducer, kafkaClient } from "../src/messaging/kafka/client.js";
import { eventMessage } from "../src/messaging/kafka/event-message.js";
import { eventsSource } from "../src/messaging/kafka/relay.js";
import { TopicRelay } from "../src/messaging/kafka/topic-relay.js";
import { openBenchDatabase, postgresUrl, type Bench, type Row } from "./support.js";

const name = "relay";
const silent = pino({ level: "silent" });

const bench: Bench = {
  name,
  description: "events relay: log → events topic, vs the kafkajs producer alone",
  async run(ctx) {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers || !ctx.backends.includes("postgres")) return [{ bench: name, backend: "postgres", case: "skipped", ops: 0, seconds: 0, rate: 0, note: "set KAFKA_BROKERS and DATABASE_URL" }];
    const n = Math.round(20_000 * ctx.scale);
    const run = randomBytes(4).toString("hex");
    const config: KafkaConfig = {
      brokers: brokers.split(","),
      clientId: `iamgraph-bench-${run}`,
      eventsTopic: `iamgraph.bench.${run}.events`,
      permissionChangesTopic: `iamgraph.bench.${run}.permission-changes`,
      partitions: 3,
      replicationFactor: 1,
      projectorGroup: `iamgraph.bench.${run}.projector`,
      relayBatchSize: 1000,
      logBackstopMs: 1000,
    };
    const kafka = kafkaClient(config, silent);
    const rawTopic = `iamgraph.bench.${run}.raw`;
    await ensureTopics(kafka, config, [config.eventsTopic, rawTopic]);
    const db = await openBenchDatabase("postgres");
    try {
      // n UserCreated events, 1 per stream, inserted with SQL (the log as the relay finds it).
      await db.sql.exec(`INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
        SELECT 'AIDABENCH' || i, 1, 'UserCreated', 1,
          jsonb_build_object('userId', 'AIDABENCH' || i, 'userName', 'u' || i, 'path', '/', 'arn', 'arn:aws:iam::123456789012:user/u' || i, 'tags', '[]'::jsonb),
          '{"accountId":"123456789012","actor":"arn:aws:iam::123456789012:user/bench","requestId":"00000000-0000-4000-8000-000000000000"}'::jsonb, now()
        FROM generate_series(1, ${n}) AS i`);
      const rows = await readAllRows(db.prisma, 0, n);
      const messages = rows.map(eventMessage);

      // Ceiling: the producer alone, the same messages in batches of 1000.
      const producer = idempotentProducer(kafka);
      await producer.connect();
      let t0 = performance.now();
      for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: rawTopic, acks: -1, messages: messages.slice(i, i + 1000) });
      const rawSeconds = (performance.now() - t0) / 1000;
      await producer.disconnect();

      // The relay, from checkpoint 0 to the head.
      const url = new URL(postgresUrl);
      url.searchParams.set("schema", db.schema!);
      t0 = performance.now();
      const relay = new TopicRelay({ databaseUrl: url.toString(), kafka, source: eventsSource(config.eventsTopic), logger: silent, batchSize: 1000 });
      while (relay.position < Number(rows.at(-1)!.position)) await new Promise((r) => setTimeout(r, 5));
      const relaySeconds = (performance.now() - t0) / 1000;
      await relay.close();

      const rawRate = n / rawSeconds;
      const relayRate = n / relaySeconds;
      const out: Row[] = [
        { bench: name, backend: "none", case: "kafkajs idempotent producer alone, batches of 1000, acks=all", ops: n, seconds: rawSeconds, rate: rawRate },
        { bench: name, backend: "postgres", case: "relay: read the log, publish, checkpoint (batches of 1000)", ops: n, seconds: relaySeconds, rate: relayRate, note: `${((relayRate / rawRate) * 100).toFixed(0)}% of the producer alone` },
      ];
      return out;
    } finally {
      await db.dispose();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [config.eventsTopic, rawTopic] }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
export default bench;

import { Partitioners } from "kafkajs";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/config.js";
import { readAllRows } from "../../../src/eventstore/read.js";
import type { StoredEvent } from "../../../src/eventstore/stored-event.js";
import { kafkaClient } from "../../../src/messaging/kafka/client.js";
import { eventMessage } from "../../../src/messaging/kafka/event-message.js";
import { KafkaFeed } from "../../../src/messaging/kafka/kafka-feed.js";
import { startIamgraph, type Iamgraph } from "../../../src/runtime.js";
import { testEnv } from "../../support/root-key.js";
import { createTestDatabase, createTopics, silent, testKafkaConfig, until, type KafkaTestDatabase } from "./kafka-support.js";
import { describeKafka } from "./describe-kafka.js";

// KafkaFeed against the real broker, fed by hand so that each test controls exactly what the
// topic carries: duplicates, a hole, messages iamgraph never wrote.

describeKafka("KafkaFeed: every event once, in position order, whatever the topic carries", () => {
  let t: KafkaTestDatabase;
  let app: Iamgraph;
  beforeAll(async () => {
    t = await createTestDatabase();
    app = await startIamgraph(loadConfig(testEnv), { db: t.db, logger: silent });
    for (let i = 0; i < 12; i++) await app.commands.handle({ type: "CreateUser", userName: `feed-${i}`, path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  /** A feed on fresh topics, the producer to write them by hand, and a log capture. */
  async function setup() {
    const config = testKafkaConfig();
    await createTopics(config);
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const kafka = kafkaClient(config, silent);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const feed = new KafkaFeed({ kafka, topic: config.eventsTopic, db: t.db.prisma, logger, safetyCheckMs: 0 });
    const delivered: StoredEvent[] = [];
    const batches: number[][] = [];
    const rows = await readAllRows(t.db.prisma, 0, 100);
    return {
      config,
      lines,
      producer,
      feed,
      delivered,
      rows,
      start: (after: number) =>
        feed.start(after, (events) => {
          delivered.push(...events);
          batches.push(events.map((e) => e.position));
        }),
      async close() {
        await feed.close();
        await producer.disconnect();
      },
    };
  }

  it("delivers each position once although the topic carries every message twice", async () => {
    const s = await setup();
    const head = s.rows.length;
    await s.start(0);
    try {
      await s.producer.send({ topic: s.config.eventsTopic, messages: s.rows.map(eventMessage) });
      await s.producer.send({ topic: s.config.eventsTopic, messages: s.rows.map(eventMessage) });
      await s.feed.waitFor(Number(s.rows.at(-1)!.position), 20_000);
      await until("the duplicates to be consumed", () => s.feed.stats.duplicates >= head);
      expect(s.delivered.map((e) => e.position)).toEqual(s.rows.map((r) => Number(r.position)));
      expect(s.feed.stats.skipped).toBe(0);
    } finally {
      await s.close();
    }
  });

  /** Commits n users after the feed started: they reach it only through the topic (or a gap read). */
  async function commitNew(n: number, prefix: string) {
    const head = (await readAllRows(t.db.prisma, 0, 100_000)).at(-1)!;
    for (let i = 0; i < n; i++) await app.commands.handle({ type: "CreateUser", userName: `${prefix}-${i}`, path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });
    return readAllRows(t.db.prisma, Number(head.position));
  }
  const headNow = async () => Number((await readAllRows(t.db.prisma, 0, 100_000)).at(-1)!.position);

  it("a position missing from the topic is read from the log: nothing skipped, order kept", async () => {
    const s = await setup();
    await s.start(await headNow());
    try {
      const fresh = await commitNew(4, "hole");
      const missing = fresh[1]!;
      await s.producer.send({ topic: s.config.eventsTopic, messages: fresh.filter((r) => r !== missing).map(eventMessage) });
      await s.feed.waitFor(Number(fresh.at(-1)!.position), 20_000);
      expect(s.delivered.map((e) => e.position)).toEqual(fresh.map((r) => Number(r.position)));
      expect(s.feed.stats.gapReads).toBeGreaterThanOrEqual(2); // the start, and the hole
    } finally {
      await s.close();
    }
  });

  it("starts from the log after `after`, then takes the topic from its end: nothing before is delivered twice", async () => {
    const s = await setup();
    // Already on the topic before the feed starts: must not be delivered again.
    await s.producer.send({ topic: s.config.eventsTopic, messages: s.rows.slice(0, 6).map(eventMessage) });
    await s.start(3);
    try {
      expect(s.delivered.map((e) => e.position)).toEqual(s.rows.slice(3).map((r) => Number(r.position)));
      await app.commands.handle({ type: "CreateUser", userName: "feed-late", path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });
      const late = (await readAllRows(t.db.prisma, Number(s.rows.at(-1)!.position)))!;
      await s.producer.send({ topic: s.config.eventsTopic, messages: late.map(eventMessage) });
      await s.feed.waitFor(Number(late.at(-1)!.position), 20_000);
      expect(s.delivered.map((e) => e.position)).toEqual([...s.rows.slice(3), ...late].map((r) => Number(r.position)));
    } finally {
      await s.close();
    }
  });

  it("a message iamgraph did not write, or a truncated one, is logged once with partition and offset and skipped", async () => {
    const s = await setup();
    await s.start(await headNow());
    try {
      const next = await commitNew(3, "garbage");
      const real = eventMessage(next[0]!);
      await s.producer.send({
        topic: s.config.eventsTopic,
        messages: [
          { key: "outsider", value: "hello from another service" },
          { ...real, value: String(real.value).slice(0, 40) },
          ...next.map(eventMessage),
        ],
      });
      await s.feed.waitFor(Number(next.at(-1)!.position), 20_000);
      await until("both bad messages to be seen", () => s.feed.stats.skipped >= 2);
      expect(s.delivered.map((e) => e.position)).toEqual(next.map((r) => Number(r.position)));
      const warnings = s.lines.filter((l) => String(l.msg).startsWith("skipped a message"));
      expect(warnings).toHaveLength(2);
      for (const w of warnings) {
        expect(w).toMatchObject({ level: 40, partition: expect.any(Number), offset: expect.any(String) });
      }
      expect(warnings.map((w) => w.reason)).toEqual(expect.arrayContaining(["no iamgraph-events/1 format header", "the value is not JSON (truncated?)"]));
      expect(s.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("the backstop: this process's own commit is read from the log when no relay brings it", async () => {
    const s = await setup();
    const head = Number(s.rows.at(-1)!.position);
    const last = (await readAllRows(t.db.prisma, head)).at(-1);
    await s.start(Number(last?.position ?? head));
    try {
      const result = await app.commands.handle({ type: "CreateUser", userName: "feed-own", path: "/", tags: [] }, { actor: "arn:aws:iam::123456789012:root" });
      s.feed.poke();
      await s.feed.waitFor(result.position, 10_000);
      expect(s.delivered.map((e) => e.position)).toEqual([result.position]);
    } finally {
      await s.close();
    }
  });
});

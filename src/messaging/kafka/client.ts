import { Kafka, logLevel, Partitioners, type LogEntry, type Producer } from "kafkajs";
import type { Logger } from "pino";
import type { KafkaConfig } from "../../config/config.js";

// The one module that builds kafkajs objects. The relay, the feed and the workers take what it
// returns, so a KafkaJS-compatible client (the API is the same) replaces kafkajs here alone.

export function kafkaClient(config: KafkaConfig, logger: Logger, clientSuffix = ""): Kafka {
  const log = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: `${config.clientId}${clientSuffix}`,
    brokers: [...config.brokers],
    // kafkajs INFO is chatty (every join and rebalance); keep it at debug.
    logLevel: logLevel.INFO,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level === logLevel.ERROR) log.warn(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
    // Reconnecting after a broker restart is the relay's and the consumers' business: they loop.
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 2_000 },
  });
}

/**
 * The producer every iamgraph publisher uses: idempotent (the broker drops a retried batch it
 * already has, so a retry inside one producer session never duplicates), all in-sync replicas
 * acknowledge, one request in flight so a retry cannot reorder.
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
}

/** Creates the topics that are missing (first start); existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, config: KafkaConfig, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: config.partitions, replicationFactor: config.replicationFactor })),
      })
      .catch((err: unknown) => {
        // Two processes starting together both see the topic missing; the second one's create fails.
        if (!(err instanceof Error && /already exists/i.test(`${err.message} ${JSON.stringify((err as { errors?: unknown }).errors ?? "")}`))) throw err;
      });
  } finally {
    await admin.disconnect();
  }
}

import pino, { type Logger } from "pino";
import type { Config, KafkaConfig } from "../config/config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { ensureTopics, kafkaClient } from "../messaging/kafka/client.js";
import { eventsSource } from "../messaging/kafka/relay.js";
import { TopicRelay } from "../messaging/kafka/topic-relay.js";
import { OperatorError } from "./operator-store.js";

/** What every Kafka-mode worker needs: kafka mode on, PostgreSQL (the relays lock and checkpoint there). */
export function kafkaWorkerConfig(config: Config, command: string): { kafka: KafkaConfig; databaseUrl: string } {
  // Configuration mistakes: one line and exit code 2, like every operator mistake.
  if (!config.kafka) throw new OperatorError(`iamgraph ${command} needs KAFKA_BROKERS (kafka mode)`, 2);
  if (!config.databaseUrl) throw new OperatorError(`iamgraph ${command} needs DATABASE_URL: kafka mode runs on PostgreSQL (unset KAFKA_BROKERS for the embedded store)`, 2);
  return { kafka: config.kafka, databaseUrl: config.databaseUrl };
}

/** Migrates (the worker tables) and creates the missing topics: what any Kafka-mode process does first. */
export async function prepareKafkaMode(config: Config, logger: Logger): Promise<void> {
  const { kafka, databaseUrl } = kafkaWorkerConfig(config, "relay");
  const db = await openDatabase({ databaseUrl, poolSize: 1 });
  try {
    await migrate(db.sql, (msg) => logger.info(msg));
  } finally {
    await db.close();
  }
  await ensureTopics(kafkaClient(kafka, logger), kafka, [kafka.eventsTopic, kafka.permissionChangesTopic]);
}

/** The events relay in the given process: active or standby, until closed. */
export function startEventsRelay(config: Config, logger: Logger): TopicRelay {
  const { kafka, databaseUrl } = kafkaWorkerConfig(config, "relay");
  return new TopicRelay({ databaseUrl, kafka: kafkaClient(kafka, logger, "-relay"), source: eventsSource(kafka.eventsTopic), logger, batchSize: kafka.relayBatchSize });
}

/** `iamgraph relay`: publishes the log to the events topic; a second one waits as a standby. */
export async function relayCommand(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: "iamgraph-relay" } });
  await prepareKafkaMode(config, logger);
  const relay = startEventsRelay(config, logger);
  onShutdown(logger, () => relay.close());
}

export function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    void close().finally(() => process.exit(0));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

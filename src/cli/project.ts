import pino from "pino";
import type { Config } from "../config/config.js";
import { openDatabase } from "../db/database.js";
import { kafkaClient } from "../messaging/kafka/client.js";
import { KafkaFeed } from "../messaging/kafka/kafka-feed.js";
import { permissionChangesCheckpoint, projectPermissionChanges } from "../messaging/kafka/permission-changes-projection.js";
import { permissionChangesSource } from "../messaging/kafka/permission-changes-topic.js";
import { TopicRelay } from "../messaging/kafka/topic-relay.js";
import { kafkaWorkerConfig, onShutdown, prepareKafkaMode } from "./relay.js";

/**
 * `iamgraph project`: a projection worker. Consumes the events topic in the projector consumer
 * group, folds the permission_changes read model (checkpoint in the same transaction), and
 * publishes that read model to the permission-changes topic (one active publisher, like the relay).
 */
export async function projectCommand(config: Config): Promise<void> {
  const { kafka, databaseUrl } = kafkaWorkerConfig(config, "project");
  const logger = pino({ level: config.logLevel, base: { service: "iamgraph-project" } });
  await prepareKafkaMode(config, logger);
  const db = await openDatabase({ databaseUrl, poolSize: 4 });
  const client = kafkaClient(kafka, logger, "-project");
  const rows = await db.prisma.$queryRawUnsafe<{ position: unknown }[]>(`SELECT position FROM worker_checkpoints WHERE name = $1`, permissionChangesCheckpoint);
  const feed = new KafkaFeed({ kafka: client, topic: kafka.eventsTopic, db: db.prisma, logger, groupId: kafka.projectorGroup, safetyCheckMs: kafka.logBackstopMs });
  await feed.start(Number(rows[0]?.position ?? 0), async (events) => {
    const changes = await projectPermissionChanges(db.prisma, events);
    if (changes.length > 0) logger.debug({ position: events.at(-1)!.position, changes: changes.length }, "permission changes projected");
  });
  const publisher = new TopicRelay({ databaseUrl, kafka: client, source: permissionChangesSource(kafka.permissionChangesTopic), logger });
  logger.info({ group: kafka.projectorGroup, from: feed.position }, "projection worker running");
  onShutdown(logger, async () => {
    await feed.close();
    await publisher.close();
    await db.close();
  });
}

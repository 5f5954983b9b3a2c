import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import type { Database } from "../db/database.js";
import type { Config } from "../config/config.js";
import { startIamgraph } from "../runtime.js";
import { serveGraphqlWs } from "../api/ws-server.js";
import { basicAuthorization } from "../auth/authorization-header.js";

export async function serve(config: Config, options: { relay?: boolean } = {}): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: "iamgraph" } });
  const kafka = config.kafka;
  if (!kafka && options.relay) throw new Error("serve --relay needs KAFKA_BROKERS (kafka mode)");
  // kafkajs and the relay are loaded in kafka mode only: a database-only server does not keep them.
  const kafkaMode = kafka ? await loadKafkaMode() : undefined;
  if (kafkaMode) await kafkaMode.prepareKafkaMode(config, logger);
  const relay = kafkaMode && options.relay ? kafkaMode.startEventsRelay(config, logger) : undefined;
  const app = await startIamgraph(config, {
    logger,
    // Kafka mode: this instance learns of every commit, its own included, from the events topic.
    ...(kafka && kafkaMode ? { feed: (db: Database) => new kafkaMode.KafkaFeed({ kafka: kafkaMode.kafkaClient(kafka, logger), topic: kafka.eventsTopic, db: db.prisma, logger, safetyCheckMs: kafka.logBackstopMs }) } : {}),
    ...(process.env.IAMGRAPH_CONSISTENCY_TIMEOUT_MS ? { consistencyTimeoutMs: Number(process.env.IAMGRAPH_CONSISTENCY_TIMEOUT_MS) } : {}),
    ...(process.env.IAMGRAPH_SUBSCRIPTION_BUFFER ? { subscriptionBufferLimit: Number(process.env.IAMGRAPH_SUBSCRIPTION_BUFFER) } : {}),
  });
  const server = createServer(app.yoga);
  // Subscriptions over WebSocket on the same /graphql path (SSE is served by Yoga itself).
  const ws = serveGraphqlWs(server, app.yoga, app.authenticator, {
    ...(process.env.IAMGRAPH_WS_BUFFER_BYTES ? { maxBufferedBytes: Number(process.env.IAMGRAPH_WS_BUFFER_BYTES) } : {}),
    onError: (err) => app.logger.error({ err }, "subscription group failed"),
  });
  // Slow or idle clients must not pin sockets for ever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const where = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}/graphql`;
  // Operator commands find this server through the embedded store's lock (src/cli/operator-store.ts).
  app.db.dataDirLock?.advertise(`http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}/graphql`);
  app.logger.info(
    { url: where, storage: app.db.kind, kafka: kafka ? kafka.brokers.join(",") : undefined, relay: Boolean(relay), dataDir: app.db.kind === "embedded" ? config.dataDir : undefined, accountId: config.accountId },
    `iamgraph listening — GraphiQL at ${where}`,
  );
  if (app.generatedRootKey) printGeneratedRootKey(app.generatedRootKey);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.logger.info({ signal }, "shutting down");
    await ws.close();
    server.close();
    server.closeAllConnections();
    await app.close();
    await relay?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/**
 * The one time a generated root secret can be seen: written to the terminal, never to the
 * structured log (log shippers keep logs; terminals scroll away).
 */
function printGeneratedRootKey(key: { accessKeyId: string; secretAccessKey: string }): void {
  process.stdout.write(
    [
      "",
      "  ┌─ iamgraph generated root credentials (shown once; stored hashed and sealed) ───────────",
      `  │ IAMGRAPH_ROOT_ACCESS_KEY_ID=${key.accessKeyId}`,
      `  │ IAMGRAPH_ROOT_SECRET_ACCESS_KEY=${key.secretAccessKey}`,
      `  │ Authorization: ${basicAuthorization(key.accessKeyId, key.secretAccessKey)}`,
      "  │ Use them to create IAM users and their access keys, then keep them somewhere safe.",
      "  └────────────────────────────────────────────────────────────────────────────────────────",
      "",
    ].join("\n"),
  );
}

/** The relay, kafkajs's client and the Kafka feed, as one module set. */
async function loadKafkaMode() {
  const [relay, client, feed] = await Promise.all([import("./relay.js"), import("../messaging/kafka/client.js"), import("../messaging/kafka/kafka-feed.js")]);
  return { ...relay, ...client, ...feed };
}

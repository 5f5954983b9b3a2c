import path from "node:path";
import { hardeningFrom, type HardeningConfig } from "../api/hardening/config.js";
import { accountIdPattern } from "../domain/shared/account.js";
import { parseMasterKey } from "../auth/master-key.js";
import { DEFAULT_RETENTION_DAYS } from "../sts/session-retention.js";

/** Everything iamgraph reads from its environment, read once at start. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Set → real PostgreSQL; unset → embedded PGlite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly accountId: string;
  readonly logLevel: string;
  readonly production: boolean;
  /** IAMGRAPH_ROOT_ACCESS_KEY_ID / IAMGRAPH_ROOT_SECRET_ACCESS_KEY: both or neither (src/auth/root-credentials.ts). */
  readonly rootKey: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** IAMGRAPH_MASTER_KEY: seals access-key secrets (src/auth/master-key.ts); required with PostgreSQL. */
  readonly masterKey: Buffer | undefined;
  /** Query limits and rate limit (src/api/hardening/config.ts, IAMGRAPH_MAX_* and IAMGRAPH_RATE_LIMIT_*). */
  readonly hardening: HardeningConfig;
  /** KAFKA_BROKERS set → kafka mode (src/messaging/kafka/, README "Kafka mode"). */
  readonly kafka: KafkaConfig | undefined;
  /**
   * AWS-managed policies: `full` imports every one from the catalogue artifact into the log
   * (src/catalogue/); `builtin` seeds only the five built-in ones into the read model, which
   * tests use so a fresh store costs nothing (NODE_ENV=test defaults to it).
   */
  readonly awsCatalogue: AwsCatalogueMode;
  /** Days role_sessions keeps an expired session's record (IAMGRAPH_ROLE_SESSION_RETENTION_DAYS, default 365; 0 = forever; src/sts/session-retention.ts). */
  readonly roleSessionRetentionDays: number;
}

export type AwsCatalogueMode = "full" | "builtin";

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Every committed event, keyed by stream id (IAMGRAPH_KAFKA_EVENTS_TOPIC). */
  readonly eventsTopic: string;
  /** What permissionsChanged says, keyed by principal ARN (IAMGRAPH_KAFKA_PERMISSION_CHANGES_TOPIC). */
  readonly permissionChangesTopic: string;
  /** Used only when a topic is created (first start): IAMGRAPH_KAFKA_PARTITIONS, IAMGRAPH_KAFKA_REPLICATION. */
  readonly partitions: number;
  readonly replicationFactor: number;
  /** The projection workers' consumer group (IAMGRAPH_KAFKA_PROJECTOR_GROUP). */
  readonly projectorGroup: string;
  /** Events per publish of the relay (IAMGRAPH_KAFKA_RELAY_BATCH, default 1000). */
  readonly relayBatchSize: number;
  /**
   * How often an instance compares the log's head with what the topic brought it, should the
   * relay be down (IAMGRAPH_KAFKA_LOG_BACKSTOP_MS, default 1000; 0 = never, the topic only).
   */
  readonly logBackstopMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const accountId = env.IAMGRAPH_ACCOUNT_ID ?? "123456789012";
  if (!accountIdPattern.test(accountId)) {
    throw new Error(`IAMGRAPH_ACCOUNT_ID must be twelve digits, got ${JSON.stringify(accountId)}`);
  }
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    rootKey: rootKeyFrom(env),
    masterKey: env.IAMGRAPH_MASTER_KEY ? parseMasterKey(env.IAMGRAPH_MASTER_KEY) : undefined,
    port,
    host: env.HOST ?? "127.0.0.1",
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.IAMGRAPH_DATA_DIR || "./data"),
    accountId,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
    production: env.NODE_ENV === "production",
    hardening: hardeningFrom(env),
    kafka: kafkaFrom(env),
    awsCatalogue: awsCatalogueFrom(env),
    roleSessionRetentionDays: retentionDaysFrom(env),
  };
}

function retentionDaysFrom(env: NodeJS.ProcessEnv): number {
  const text = env.IAMGRAPH_ROLE_SESSION_RETENTION_DAYS;
  if (text === undefined || text === "") return DEFAULT_RETENTION_DAYS;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 0 || days > 36_500) throw new Error(`IAMGRAPH_ROLE_SESSION_RETENTION_DAYS must be a whole number of days from 0 (keep forever) to 36500, got ${JSON.stringify(text)}`);
  return days;
}

function awsCatalogueFrom(env: NodeJS.ProcessEnv): AwsCatalogueMode {
  const mode = env.IAMGRAPH_AWS_CATALOGUE || (env.NODE_ENV === "test" ? "builtin" : "full");
  if (mode !== "full" && mode !== "builtin") throw new Error(`IAMGRAPH_AWS_CATALOGUE must be full or builtin, got ${JSON.stringify(mode)}`);
  return mode;
}

function kafkaFrom(env: NodeJS.ProcessEnv): KafkaConfig | undefined {
  const brokers = (env.KAFKA_BROKERS ?? "").split(",").map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) return undefined;
  const count = (name: string, fallback: number) => {
    const n = Number(env[name] ?? fallback);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${name} must be a whole number from 1 to 1000, got ${env[name]}`);
    return n;
  };
  const milliseconds = (name: string, fallback: number) => {
    const n = Number(env[name] ?? fallback);
    if (!Number.isInteger(n) || n < 0 || n > 3_600_000) throw new Error(`${name} must be a whole number of milliseconds from 0 to 3600000, got ${env[name]}`);
    return n;
  };
  return {
    brokers,
    clientId: env.IAMGRAPH_KAFKA_CLIENT_ID || "iamgraph",
    eventsTopic: env.IAMGRAPH_KAFKA_EVENTS_TOPIC || "iamgraph.events",
    permissionChangesTopic: env.IAMGRAPH_KAFKA_PERMISSION_CHANGES_TOPIC || "iamgraph.permission-changes",
    partitions: count("IAMGRAPH_KAFKA_PARTITIONS", 3),
    replicationFactor: count("IAMGRAPH_KAFKA_REPLICATION", 1),
    projectorGroup: env.IAMGRAPH_KAFKA_PROJECTOR_GROUP || "iamgraph.projector",
    relayBatchSize: count("IAMGRAPH_KAFKA_RELAY_BATCH", 1000),
    logBackstopMs: milliseconds("IAMGRAPH_KAFKA_LOG_BACKSTOP_MS", 1000),
  };
}

function rootKeyFrom(env: NodeJS.ProcessEnv): Config["rootKey"] {
  const accessKeyId = env.IAMGRAPH_ROOT_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.IAMGRAPH_ROOT_SECRET_ACCESS_KEY || undefined;
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error("IAMGRAPH_ROOT_ACCESS_KEY_ID and IAMGRAPH_ROOT_SECRET_ACCESS_KEY must be set together");
  }
  // AWS AccessKeyId: 16–128 word characters. The secret's floor keeps a guessable one out.
  if (!/^\w{16,128}$/.test(accessKeyId)) throw new Error("IAMGRAPH_ROOT_ACCESS_KEY_ID must be 16–128 letters, digits or underscores");
  if (secretAccessKey.length < 20 || secretAccessKey.length > 128) {
    throw new Error("IAMGRAPH_ROOT_SECRET_ACCESS_KEY must be 20–128 characters");
  }
  return { accessKeyId, secretAccessKey };
}

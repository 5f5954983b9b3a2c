import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel, type KafkaMessage } from "kafkajs";
import pg from "pg";
import pino from "pino";
import type { KafkaConfig } from "../../../src/config/config.js";
import { openDatabase, quoteIdent, type Database } from "../../../src/db/database.js";
import { migrate } from "../../../src/db/migrate.js";
import { ensureTopics, kafkaClient } from "../../../src/messaging/kafka/client.js";
import { loadConfig } from "../../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../../src/runtime.js";
import { postgresUrl } from "../../support/databases.js";
import { testEnv } from "../../support/root-key.js";

// Kafka suites run against the real broker (scripts/kafka.sh start; KAFKA_BROKERS) and real
// PostgreSQL; without either they are skipped (global-setup.ts prints why, and fails the run
// when IAMGRAPH_REQUIRE_KAFKA=1). Each test gets its own database and its own topics.

export const kafkaBrokers = process.env.KAFKA_BROKERS || undefined;
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const silent = pino({ level: "silent" });

export function testKafkaConfig(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  const run = randomBytes(5).toString("hex");
  return {
    brokers: (kafkaBrokers ?? "").split(","),
    clientId: `iamgraph-test-${run}`,
    eventsTopic: `iamgraph.test.${run}.events`,
    permissionChangesTopic: `iamgraph.test.${run}.permission-changes`,
    partitions: 3,
    replicationFactor: 1,
    projectorGroup: `iamgraph.test.${run}.projector`,
    relayBatchSize: 1000,
    logBackstopMs: 1000,
    ...overrides,
  };
}

export async function createTopics(config: KafkaConfig): Promise<void> {
  await ensureTopics(kafkaClient(config, silent), config, [config.eventsTopic, config.permissionChangesTopic]);
}

/** A database of its own (separate processes cannot share a test schema through DATABASE_URL). */
export interface KafkaTestDatabase {
  readonly url: string;
  readonly db: Database;
  dispose(): Promise<void>;
}

export async function createTestDatabase(): Promise<KafkaTestDatabase> {
  const name = `iamgraph_kafka_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  await admin.end();
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  await migrate(db.sql);
  return {
    url: url.toString(),
    db,
    async dispose() {
      await db.close();
      const a = new pg.Client({ connectionString: postgresUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** An iamgraph runtime in this process on a database of its own, where the CLI processes under test meet it. */
export interface KafkaTestApp {
  readonly t: KafkaTestDatabase;
  readonly app: Iamgraph;
  close(): Promise<void>;
}

export async function startKafkaTestApp(): Promise<KafkaTestApp> {
  const t = await createTestDatabase();
  const app = await startIamgraph(loadConfig(testEnv), { db: t.db, logger: silent });
  return {
    t,
    app,
    async close() {
      await app.close();
      await t.dispose();
    },
  };
}

/** An iamgraph CLI process (`relay`, `project`, `serve`), its pino lines collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "development", IAMGRAPH_AWS_CATALOGUE: "builtin", LOG_LEVEL: "info", KAFKAJS_NO_PARTITIONER_WARNING: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const watchers = new Set<() => void>();
  let buffered = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const w of [...watchers]) w();
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    waitForLine(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) {
            watchers.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; lines: ${JSON.stringify(lines.slice(-10))}`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export function cliEnv(url: string, config: KafkaConfig): Record<string, string> {
  return {
    DATABASE_URL: url,
    KAFKA_BROKERS: config.brokers.join(","),
    IAMGRAPH_KAFKA_EVENTS_TOPIC: config.eventsTopic,
    IAMGRAPH_KAFKA_PERMISSION_CHANGES_TOPIC: config.permissionChangesTopic,
    IAMGRAPH_KAFKA_PROJECTOR_GROUP: config.projectorGroup,
    IAMGRAPH_KAFKA_PARTITIONS: String(config.partitions),
    IAMGRAPH_KAFKA_RELAY_BATCH: String(config.relayBatchSize),
    IAMGRAPH_KAFKA_LOG_BACKSTOP_MS: String(config.logBackstopMs),
  };
}

/** Everything on a topic now (every partition up to its end when the call started). */
export async function readTopic(brokers: readonly string[], topic: string): Promise<(KafkaMessage & { partition: number })[]> {
  const kafka = new Kafka({ clientId: "iamgraph-test-reader", brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const wanted = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const out: (KafkaMessage & { partition: number })[] = [];
  if ([...wanted.values()].every((n) => n === 0)) return out;
  const groupId = `iamgraph-test-reader-${randomBytes(4).toString("hex")}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 30_000);
    const done = () => [...wanted].every(([p, high]) => out.filter((m) => m.partition === p).length >= high);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({ ...message, partition });
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteGroups([groupId]).catch(() => undefined);
  await cleanup.disconnect();
  return out;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function checkpointOf(db: Database, name: string): Promise<number> {
  const rows = await db.prisma.$queryRawUnsafe<{ position: unknown }[]>(`SELECT position FROM worker_checkpoints WHERE name = $1`, name);
  return Number(rows[0]?.position ?? 0);
}

export async function headOf(db: Database): Promise<number> {
  const rows = await db.prisma.$queryRawUnsafe<{ h: unknown }[]>(`SELECT coalesce(max(position), 0) AS h FROM events`);
  return Number(rows[0]?.h ?? 0);
}

import { afterAll, beforeAll, describe } from "vitest";
import { postgresUrl } from "../support/databases.js";
import { createClusterSchema, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { clusterContract } from "./cluster-contract.js";

// Postgres mode (issue 12, item 1): two real `iamgraph serve` processes on one PostgreSQL schema,
// each following the log with its LISTEN/NOTIFY tailer — so a change made on A reaches B's caches
// and B's subscribers. The same contract runs in kafka mode (test/messaging/kafka/two-instances).

if (!postgresUrl) console.warn("SKIPPED test/cluster/follow-the-log.int.test.ts: set DATABASE_URL (mandatory in CI)");

describe.skipIf(!postgresUrl)("postgres mode: two instances on one PostgreSQL follow the log", () => {
  let cluster: Awaited<ReturnType<typeof createClusterSchema>>;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    cluster = await createClusterSchema();
    // Migrated above; started one after the other so only one seeds the AWS-managed policies.
    // KAFKA_BROKERS is emptied: CI exports it, and this is the postgres mode.
    a = await startServerProcess({ env: { DATABASE_URL: cluster.databaseUrl, KAFKA_BROKERS: "" } });
    b = await startServerProcess({ env: { DATABASE_URL: cluster.databaseUrl, KAFKA_BROKERS: "" } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.drop();
  });

  clusterContract(() => ({ a, b }));
});

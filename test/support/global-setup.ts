import net from "node:net";
import pg from "pg";

// Service-dependent suites skip loudly when the service is absent, and fail when a flag says
// it is mandatory (CI sets IAMGRAPH_REQUIRE_POSTGRES=1).
export default async function setup(): Promise<void> {
  await checkPostgres();
  await checkKafka();
}

// Kafka suites (test/messaging/kafka) need a broker (scripts/kafka.sh start) and PostgreSQL.
async function checkKafka(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS;
  const required = process.env.IAMGRAPH_REQUIRE_KAFKA === "1";
  if (!brokers || !process.env.DATABASE_URL) {
    const message = `${brokers ? "DATABASE_URL" : "KAFKA_BROKERS"} is not set: the Kafka suites are SKIPPED (scripts/kafka.sh start; KAFKA_BROKERS=127.0.0.1:9092).`;
    if (required) throw new Error(`IAMGRAPH_REQUIRE_KAFKA=1 but ${message}`);
    banner(message);
    return;
  }
  const [host, port] = brokers.split(",")[0]!.trim().split(":");
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: host!, port: Number(port ?? 9092) });
    socket.setTimeout(3_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
  if (!reachable) {
    const message = `KAFKA_BROKERS is set but ${brokers} does not answer.`;
    if (required) throw new Error(message);
    banner(`${message} The Kafka suites will fail; unset KAFKA_BROKERS to skip them.`);
  }
}

async function checkPostgres(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const required = process.env.IAMGRAPH_REQUIRE_POSTGRES === "1";
  if (!url) {
    if (required) throw new Error("IAMGRAPH_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: the PostgreSQL suite is mandatory here.");
    banner("DATABASE_URL is not set: the PostgreSQL suites are SKIPPED; only the embedded (PGlite) suites run.");
    return;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    const message = `DATABASE_URL is set but PostgreSQL is unreachable (${(err as Error).message}).`;
    if (required) throw new Error(message);
    banner(`${message} The PostgreSQL suites will fail; unset DATABASE_URL to skip them.`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function banner(text: string): void {
  const line = "!".repeat(Math.min(100, text.length + 8));
  console.warn(`\n${line}\n!!! ${text}\n${line}\n`);
}

import pg from "pg";

// Service-dependent suites skip loudly when the service is absent, and fail when a flag says
// it is mandatory (CI sets IAMGRAPH_REQUIRE_POSTGRES=1).
export default async function setup(): Promise<void> {
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

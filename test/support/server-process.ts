import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Client } from "graphql-ws";
import { openDatabase, quoteIdent } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { postgresUrl } from "./databases.js";
import { wsClientOn } from "./ws-client.js";
import { rootAuthorization, testEnv } from "./root-key.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A real `iamgraph serve` in a process of its own (node --import tsx src/cli/main.ts serve): for
 * tests and benches of several instances on one store. Reused by the Kafka mode's tests.
 */
export interface ServerProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** POST /graphql with the root key unless `authorization` says otherwise (null: none). */
  request<D = any>(query: string, variables?: Record<string, unknown>, init?: { extensions?: unknown; authorization?: string | null }): Promise<{ data?: D; errors?: any[]; extensions?: any }>;
  /** A graphql-ws client (root key unless told otherwise). */
  wsClient(authorization?: string | null): Client;
  /** What the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 5 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment (DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL…). */
  readonly env?: Record<string, string>;
  /** How long to wait for the port to answer. */
  readonly timeoutMs?: number;
  /** "source" (default): the TypeScript through tsx; "built": dist/src/cli/main.js, as `npm start` runs it. */
  readonly entry?: "source" | "built";
}

export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const env = { ...process.env, ...testEnv, LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1", ...options.env };
  const args = options.entry === "built" ? ["dist/src/cli/main.js", "serve"] : ["--import", "tsx", "src/cli/main.ts", "serve"];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const clients: Client[] = [];
  const request: ServerProcess["request"] = async (query, variables, init = {}) => {
    const authorization = init.authorization === undefined ? rootAuthorization : init.authorization;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query, variables, ...(init.extensions ? { extensions: init.extensions } : {}) }),
    });
    return (await response.json()) as never;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`iamgraph serve exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await request(`{ __typename }`);
      if (r.data) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`iamgraph serve did not answer on ${url}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    port,
    child,
    request,
    wsClient(authorization: string | null = rootAuthorization) {
      const client = wsClientOn(port, authorization);
      clients.push(client);
      return client;
    },
    output: () => out,
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A fresh, migrated PostgreSQL schema for a cluster of processes, and the DATABASE_URL naming
 * it (`?schema=`, as an operator would write it).
 */
export async function createClusterSchema(base = postgresUrl): Promise<{ databaseUrl: string; schema: string; drop(): Promise<void> }> {
  if (!base) throw new Error("DATABASE_URL is not set");
  const schema = `iamgraph_cluster_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase({ databaseUrl: base, poolSize: 1 });
  await admin.sql.exec(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await admin.close();
  const db = await openDatabase({ databaseUrl: base, schema, poolSize: 1 });
  await migrate(db.sql);
  await db.close();
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  return {
    databaseUrl: url.toString(),
    schema,
    async drop() {
      const d = await openDatabase({ databaseUrl: base, poolSize: 1 });
      await d.sql.exec(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await d.close();
    },
  };
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs` with the last one seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A mutation on a server process that must succeed; returns its payload (`selection` names what to read). */
export async function mutateOn(on: ServerProcess, field: string, args: Record<string, unknown>, selection = "... on PositionPayload { position }"): Promise<any> {
  const params = Object.keys(args).map((k) => `${k}: $${k}`).join(", ");
  const decls = Object.entries(args).map(([k, v]) => `$${k}: ${typeof v === "boolean" ? "Boolean" : typeof v === "number" ? "Position" : "String"}!`).join(", ");
  const r = await on.request(`mutation ${decls ? `(${decls})` : ""} { ${field}(${params}) { __typename ... on IamError { code message } ${selection} } }`, args);
  if (r.errors) throw new Error(`${field}: ${JSON.stringify(r.errors)}`);
  const result = r.data[field];
  if (result.__typename === "IamError") throw new Error(`${field} refused: ${result.code} ${result.message}`);
  return result;
}

/** What a server process's `authorize` says of `principalArn` doing `action` on `*`. */
export async function decisionOn(on: ServerProcess, principalArn: string, action: string): Promise<string> {
  const r = await on.request(`query ($p: String!, $a: String!) { authorize(principalArn: $p, action: $a, resource: "*") { ... on AuthorizationDecision { decision } } }`, { p: principalArn, a: action });
  return r.data.authorize.decision;
}

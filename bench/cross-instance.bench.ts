/**
 * Two real `iamgraph serve` processes on one PostgreSQL schema (issue 12; goals: p99 < 100 ms for
 * a revoke on A to be enforced on B; a change on A reaching a subscriber on B within 2× of one on
 * A itself), in postgres mode (each follows the log by LISTEN/NOTIFY) and, when KAFKA_BROKERS is
 * set, in kafka mode (each consumes the events topic, fed by a separate `iamgraph relay`
 * process; B's log backstop off, so every change B sees came over the topic). PGlite is one
 * process by design.
 *   - revoke → enforced: A deletes the inline policy that allowed s3:GetObject; B's `authorize`
 *     is polled back to back until it answers implicitDeny. Timed from sending the revoke (the
 *     mutation's own time included) and from A's answer (B's lag alone).
 *   - notification: one permissionsChanged subscription on A and one on B for the same user;
 *     A puts or deletes an inline policy; each subscriber's arrival is timed from sending it.
 */
import type { Client } from "graphql-ws";
import { cliEnv, createTopics, spawnCli, testKafkaConfig, type CliProcess } from "../test/messaging/kafka/kafka-support.js";
import { createClusterSchema, startServerProcess, type ServerProcess } from "../test/support/server-process.js";
import { percentile, postgresUrl, type Bench, type Row } from "./support.js";

const name = "cross-instance";
const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });

async function gql(on: ServerProcess, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const r = await on.request(query, variables);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
const put = (on: ServerProcess, user: string) =>
  gql(on, `mutation ($u: String!, $d: String!) { putUserPolicy(userName: $u, policyName: "p", policyDocument: $d) { __typename ... on PositionPayload { position } } }`, { u: user, d: doc });
const del = (on: ServerProcess, user: string) => gql(on, `mutation ($u: String!) { deleteUserPolicy(userName: $u, policyName: "p") { __typename ... on PositionPayload { position } } }`, { u: user });
const decision = async (on: ServerProcess, arn: string) =>
  (await gql(on, `query ($p: String!) { authorize(principalArn: $p, action: "s3:GetObject", resource: "*") { ... on AuthorizationDecision { decision } } }`, { p: arn })).authorize.decision as string;

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) if (Date.now() > deadline) throw new Error("condition not reached in time");
}

/** A permissionsChanged subscription that resolves the next message's arrival time. */
function listen(client: Client, arn: string): { next(): Promise<number>; stop(): void } {
  const waiting: ((t: number) => void)[] = [];
  const early: number[] = [];
  const stop = client.subscribe(
    { query: `subscription ($arn: String!) { permissionsChanged(principalArn: $arn) { position } }`, variables: { arn } },
    {
      next: () => {
        const t = performance.now();
        const w = waiting.shift();
        if (w) w(t);
        else early.push(t);
      },
      error: (e) => process.stderr.write(`subscription error: ${JSON.stringify(e)}\n`),
      complete: () => undefined,
    },
  );
  return {
    next: () => (early.length > 0 ? Promise.resolve(early.shift()!) : new Promise<number>((r) => waiting.push(r))),
    stop,
  };
}

type Mode = "postgres" | "kafka";

const stat = (mode: Mode, label: string, ms: number[], note?: string): Row => {
  const total = ms.reduce((a, b) => a + b, 0) / 1000;
  return { bench: name, backend: "postgres", case: `${mode} mode: ${label}`, ops: ms.length, seconds: total, rate: ms.length / total, p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99), ...(note ? { note } : {}) };
};

/** Two instances (and in kafka mode a relay) on a schema of their own. */
async function startCluster(mode: Mode): Promise<{ a: ServerProcess; b: ServerProcess; stop(): Promise<void> }> {
  const cluster = await createClusterSchema(postgresUrl);
  let relay: CliProcess | undefined;
  let env: Record<string, string> = { DATABASE_URL: cluster.databaseUrl, KAFKA_BROKERS: "", LOG_LEVEL: "warn" };
  if (mode === "kafka") {
    const config = testKafkaConfig();
    await createTopics(config);
    env = { ...cliEnv(cluster.databaseUrl, config), LOG_LEVEL: "warn" };
    relay = spawnCli(["relay"], { ...env, LOG_LEVEL: "info" });
    await relay.waitForLine((l) => l.msg === "relay active", 60_000);
  }
  const a = await startServerProcess({ env });
  const b = await startServerProcess({ env: mode === "kafka" ? { ...env, IAMGRAPH_KAFKA_LOG_BACKSTOP_MS: "0" } : env });
  return {
    a,
    b,
    async stop() {
      await Promise.all([a.stop(), b.stop(), relay?.kill()]);
      await cluster.drop();
    },
  };
}

const bench: Bench = {
  name,
  description: "two serve processes on one PostgreSQL: revoke on A → enforced on B; change on A → subscriber on B vs on A",
  async run({ backends, scale }) {
    if (!backends.includes("postgres")) return [{ bench: name, backend: "postgres", case: "(all)", ops: 0, seconds: 0, rate: 0, note: "SKIPPED: needs PostgreSQL" }];
    const rounds = Math.round(100 * scale);
    const modes: Mode[] = process.env.KAFKA_BROKERS ? ["postgres", "kafka"] : ["postgres"];
    const rows: Row[] = [];
    for (const mode of modes) rows.push(...(await measure(mode, rounds)));
    if (!process.env.KAFKA_BROKERS) rows.push({ bench: name, backend: "postgres", case: "kafka mode", ops: 0, seconds: 0, rate: 0, note: "SKIPPED: set KAFKA_BROKERS (scripts/kafka.sh start)" });
    return rows;
  },
};

async function measure(mode: Mode, rounds: number): Promise<Row[]> {
  const { a, b, stop } = await startCluster(mode);
  try {
    await gql(a, `mutation { createUser(userName: "xi") { __typename } }`);
    const arn = "arn:aws:iam::123456789012:user/xi";

    process.stderr.write(`  … ${mode} mode: revoke on A → enforced on B, ${rounds} rounds\n`);
    const fromSend: number[] = [];
    const fromAck: number[] = [];
    const mutation: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await put(a, "xi");
      await until(async () => (await decision(b, arn)) === "allowed");
      const t0 = performance.now();
      await del(a, "xi");
      const acked = performance.now();
      await until(async () => (await decision(b, arn)) === "implicitDeny");
      const t1 = performance.now();
      fromSend.push(t1 - t0);
      fromAck.push(t1 - acked);
      mutation.push(acked - t0);
    }

    process.stderr.write(`  … ${mode} mode: change on A → subscriber on A and on B, ${rounds} rounds\n`);
    const subA = listen(a.wsClient(), arn);
    const subB = listen(b.wsClient(), arn);
    // Attached once both have seen a change.
    await put(a, "xi");
    await Promise.all([subA.next(), subB.next()]);
    let present = true;
    const same: number[] = [];
    const cross: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const arrivals = Promise.all([subA.next(), subB.next()]);
      const t0 = performance.now();
      await (present ? del(a, "xi") : put(a, "xi"));
      present = !present;
      const [ta, tb] = await arrivals;
      same.push(ta - t0);
      cross.push(tb - t0);
    }
    subA.stop();
    subB.stop();
    const ratio = (percentile(cross, 0.99) / percentile(same, 0.99)).toFixed(2);
    return [
      stat(mode, "revoke on A → B denies (from sending)", fromSend),
      stat(mode, "revoke on A → B denies (from A's answer)", fromAck),
      stat(mode, "revoke mutation on A alone", mutation),
      stat(mode, "change on A → subscriber on A", same),
      stat(mode, "change on A → subscriber on B", cross, `p99 ${ratio}× same-instance`),
    ];
  } finally {
    await stop();
  }
}

export default bench;

/**
 * `authorize` over HTTP against a bare graphql-yoga hello-world, same run, same client (`post`,
 * i.e. fetch with a JSON body and the bench root key's Basic header), same concurrency: the real
 * server (startIamgraph + node:http, every request authenticated and self-authorized) in-process
 * on an ephemeral port, the hello-world on another. Cases: a known principal (a user with three
 * managed policies), and a principal ARN that does not exist (answered from the negative cache:
 * no database trip). The three are alternated in short rounds and each ratio is the median of the
 * rounds' own ratios, since other work on the machine drifts over a run. Each row also gives the process's CPU time
 * per request (server and clients: one process), which the machine's other load moves far less
 * than req/s; its ratio to the reference's is the same comparison measured in CPU.
 */
import { seedHttpUser } from "./http-user.js";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, closeServer, measure, post, row, withDatabase, type Bench, type PhaseResult, type Row } from "./support.js";

const name = "http-overhead";
const clients = 8;
const ACCOUNT = "123456789012";
const KNOWN = `arn:aws:iam::${ACCOUNT}:user/http-user`;
const UNKNOWN = `arn:aws:iam::${ACCOUNT}:user/nobody-by-this-name`;

const authorize = `query A($p: String!, $a: String!, $r: String!) {
  authorize(principalArn: $p, action: $a, resource: $r) {
    __typename
    ... on AuthorizationDecision { decision }
    ... on IamError { code }
  }
}`;
const hello = `query H { hello }`;

type Measured = PhaseResult & { cpuUsPerOp: number };

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** measure() plus this process's CPU time (user + system) per op over the phase. */
async function measureCpu(label: string, phase: Parameters<typeof measure>[1], op: () => Promise<void>): Promise<PhaseResult & { cpuUsPerOp: number }> {
  const before = process.cpuUsage();
  const result = await measure(label, { ...phase, warmup: 0 }, op);
  const used = process.cpuUsage(before);
  return { ...result, cpuUsPerOp: (used.user + used.system) / result.ops };
}

async function listen(server: Server): Promise<string> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const bench: Bench = {
  name,
  description: `authorize over HTTP (known and unknown principal) vs a bare Yoga hello-world, ${clients} clients, same client`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    const bare = createServer(createYoga({ schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }), logging: false }));
    const bareUrl = await listen(bare);
    const phase = { ops: 1e9, maxSeconds: 5 * scale, concurrency: clients, warmup: 200, latency: true };
    try {
      for (const backend of backends) {
        await withDatabase(backend, async (db) => {
          const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
          const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
          const server = createServer(app.yoga);
          const url = await listen(server);
          try {
            const req = { actor: "bench" };
            await seedHttpUser(app, ACCOUNT);
            const variables = (p: string) => ({ p, a: "s3:GetObject", r: "arn:aws:s3:::bucket-1/x" });
            const expect = (p: string, want: string) => async () => {
              const data = (await post(url, authorize, variables(p))) as { authorize: { decision?: string; code?: string } };
              const got = data.authorize.decision ?? data.authorize.code;
              if (got !== want) throw new Error(`authorize ${p}: ${JSON.stringify(data)}`);
            };
            const helloOp = async () => {
              const data = (await post(bareUrl, hello, {})) as { hello: string };
              if (data.hello !== "world") throw new Error("hello");
            };
            // BENCH_ROUNDS rounds (default 5) of hello → known → unknown, short phases: each ratio is
            // taken within one round (seconds apart), and the medians are reported — the load of
            // a shared machine moves over a run far more than within a round.
            const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
            const short = { ...phase, maxSeconds: 2 * scale, warmup: 0 };
            for (const op of [helloOp, expect(KNOWN, "allowed"), expect(UNKNOWN, "NoSuchEntity")]) for (let i = 0; i < phase.warmup; i++) await op();
            const runs: { hello: Measured; known: Measured; unknown: Measured }[] = [];
            for (let r = 1; r <= rounds; r++) {
              const hello = await measureCpu(`${backend} round ${r}: bare yoga hello`, short, helloOp);
              const known = await measureCpu(`${backend} round ${r}: authorize, known principal`, short, expect(KNOWN, "allowed"));
              const unknown = await measureCpu(`${backend} round ${r}: authorize, unknown principal`, short, expect(UNKNOWN, "NoSuchEntity"));
              runs.push({ hello, known, unknown });
            }
            const summary = (pick: (run: (typeof runs)[number]) => Measured): PhaseResult & { cpuUsPerOp: number } => {
              const all = runs.map(pick);
              return { ops: all.reduce((n, m) => n + m.ops, 0), seconds: all.reduce((n, m) => n + m.seconds, 0), rate: median(all.map((m) => m.rate)), p50Ms: median(all.map((m) => m.p50Ms!)), p99Ms: median(all.map((m) => m.p99Ms!)), cpuUsPerOp: median(all.map((m) => m.cpuUsPerOp)) };
            };
            const ratio = (of: (run: (typeof runs)[number]) => number) => {
              const each = runs.map(of);
              return `${(median(each) * 100).toFixed(0)}% (rounds ${Math.round(Math.min(...each) * 100)}–${Math.round(Math.max(...each) * 100)}%)`;
            };
            const ref = summary((run) => run.hello);
            const known = summary((run) => run.known);
            const unknown = summary((run) => run.unknown);
            rows.push(
              row(name, backend, `bare Yoga hello-world, ${clients} clients (reference)`, ref, `median of ${rounds} rounds; ${Math.round(ref.cpuUsPerOp)} µs CPU/req`),
              row(name, backend, `authorize known principal, ${clients} clients`, known, `${ratio((run) => run.known.rate / run.hello.rate)} of bare Yoga's req/s (goal ≥ 80%); by CPU/req ${ratio((run) => run.hello.cpuUsPerOp / run.known.cpuUsPerOp)}`),
              row(name, backend, `authorize unknown principal, ${clients} clients`, unknown, `${ratio((run) => run.unknown.rate / run.known.rate)} of known's req/s (goal ≥ 90%); ${ratio((run) => run.unknown.rate / run.hello.rate)} of bare Yoga's`),
            );
          } finally {
            await closeServer(server);
            await app.close();
          }
        });
      }
    } finally {
      await closeServer(bare);
    }
    return rows;
  },
};

export default bench;

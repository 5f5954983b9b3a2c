/**
 * `authorize` over HTTP against a bare graphql-yoga hello-world, same run, same client (`post`,
 * i.e. fetch with a JSON body and the bench root key's Basic header), same concurrency: the real
 * server (startIamgraph + node:http, every request authenticated and self-authorized) in-process
 * on an ephemeral port, the hello-world on another. Cases: a known principal (a user with three
 * managed policies), and a principal ARN that does not exist (answered from the negative cache:
 * no database trip). The reference is measured before and after the iamgraph cases and averaged,
 * since other work on the machine drifts over a run. Each row also gives the process's CPU time
 * per request (server and clients: one process), which the machine's other load moves far less
 * than req/s; its ratio to the reference's is the same comparison measured in CPU.
 */
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

/** measure() plus this process's CPU time (user + system) per op over the phase. */
async function measureCpu(label: string, phase: Parameters<typeof measure>[1], op: () => Promise<void>): Promise<PhaseResult & { cpuUsPerOp: number }> {
  // measure() runs the warmup itself; the CPU of the warmup is left out by warming up here.
  for (let i = 0; i < (phase.warmup ?? 0); i++) await op();
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
            await app.commands.handle({ type: "CreateUser", userName: "http-user", path: "/", tags: [] }, req);
            for (let p = 0; p < 3; p++) {
              const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [`s3:Get*`, `s3:List*`], Resource: `arn:aws:s3:::bucket-${p}/*` }] });
              await app.commands.handle({ type: "CreatePolicy", policyName: `http-${p}`, path: "/", policyDocument: doc, description: "", tags: [] }, req);
              await app.commands.handle({ type: "AttachPolicy", entityType: "user", entityName: "http-user", policyArn: `arn:aws:iam::${ACCOUNT}:policy/http-${p}` }, req);
            }
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
            const before = await measureCpu(`${backend} bare yoga hello (before)`, phase, helloOp);
            const known = await measureCpu(`${backend} authorize, known principal`, phase, expect(KNOWN, "allowed"));
            const unknown = await measureCpu(`${backend} authorize, unknown principal`, phase, expect(UNKNOWN, "NoSuchEntity"));
            const after = await measureCpu(`${backend} bare yoga hello (after)`, phase, helloOp);
            const ref: PhaseResult = { ops: before.ops + after.ops, seconds: before.seconds + after.seconds, rate: (before.rate + after.rate) / 2, p50Ms: (before.p50Ms! + after.p50Ms!) / 2, p99Ms: (before.p99Ms! + after.p99Ms!) / 2 };
            const refCpu = (before.cpuUsPerOp + after.cpuUsPerOp) / 2;
            const cpu = (r: { cpuUsPerOp: number }) => `${Math.round(r.cpuUsPerOp)} µs CPU/req = ${((refCpu / r.cpuUsPerOp) * 100).toFixed(0)}% of bare Yoga's rate by CPU`;
            const pct = (r: PhaseResult) => `${((r.rate / ref.rate) * 100).toFixed(0)}% of bare Yoga's req/s`;
            rows.push(
              row(name, backend, `bare Yoga hello-world, ${clients} clients (reference)`, ref, `before ${Math.round(before.rate)}/s, after ${Math.round(after.rate)}/s; ${Math.round(refCpu)} µs CPU/req`),
              row(name, backend, `authorize known principal, ${clients} clients`, known, `${pct(known)} (goal ≥ 80%); ${cpu(known)}`),
              row(name, backend, `authorize unknown principal, ${clients} clients`, unknown, `${((unknown.rate / known.rate) * 100).toFixed(0)}% of known's req/s (goal ≥ 90%); ${pct(unknown)}; ${cpu(unknown)}`),
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

/**
 * Where one `authorize` request's time goes: not a bench (no `.bench.ts`, `npm run bench` does
 * not run it) but the profile behind bench/http-overhead.bench.ts. Starts the real server on
 * PostgreSQL (DATABASE_URL) or PGlite (PROFILE_BACKEND=pglite) in this process on an ephemeral
 * port, sets up the same known principal as the bench, warms up, then records a CPU profile
 * (node:inspector) over PROFILE_REQUESTS (default 4000) requests from 8 fetch clients, and prints
 * the self time by function and by package. PROFILE_OUT=<file> also keeps the .cpuprofile
 * (open it in Chrome DevTools). PROFILE_TARGET=hello profiles the bare Yoga hello-world instead.
 *
 *   npx tsx bench/profile-authorize.ts
 */
import { seedHttpUser } from "./http-user.js";
import { Session } from "node:inspector/promises";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, benchRootAuthorization, closeServer, openBenchDatabase, post } from "./support.js";

const ACCOUNT = "123456789012";
const KNOWN = `arn:aws:iam::${ACCOUNT}:user/http-user`;
const authorize = `query A($p: String!, $a: String!, $r: String!) {
  authorize(principalArn: $p, action: $a, resource: $r) {
    __typename
    ... on AuthorizationDecision { decision }
    ... on IamError { code }
  }
}`;

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

async function drive(requests: number, clients: number, op: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < requests) await op();
    }),
  );
  return (requests / (performance.now() - t0)) * 1000;
}

/** Self time per function and per package (node_modules/<pkg>, node: internals, our src/). */
function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  // Node's internals and natives are charged to the nearest library or source frame that called them.
  const owner = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "nm:");
    const key = `${functionName || "(anonymous)"} ${where.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = url === "" ? `(${functionName || "native"})` : packageOf(url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    let at: number | undefined = id;
    while (at !== undefined && !/node_modules|\/src\/|\/bench\//.test(byId.get(at)!.callFrame.url)) at = parent.get(at);
    const o = at === undefined ? `(${functionName || "root"})` : packageOf(byId.get(at)!.callFrame.url);
    owner.set(o, (owner.get(o) ?? 0) + us);
  }
  const lines = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return `total ${(total / 1000).toFixed(0)} ms sampled\n-- by package --\n${lines(pkg)}\n-- by calling package (node internals charged to their caller) --\n${lines(owner)}\n-- by function --\n${lines(fn)}`;
}

function packageOf(url: string): string {
  if (url.includes("deps/undici")) return "undici (the fetch clients)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes("/src/")) return "iamgraph src/" + url.split("/src/")[1]!.split("/").slice(0, -1).join("/");
  if (url.includes("/bench/")) return "bench (the clients)";
  return url;
}

async function main(): Promise<void> {
  const requests = Number(process.env.PROFILE_REQUESTS ?? 4000);
  const backend = process.env.PROFILE_BACKEND === "pglite" ? "pglite" : "postgres";
  const target = process.env.PROFILE_TARGET === "hello" ? "hello" : "authorize";
  const db = await openBenchDatabase(backend);
  const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
  const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
  const server = createServer(app.yoga);
  const bareYoga = createYoga({ schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }), logging: false });
  const bare = createServer(bareYoga);
  const url = await listen(server);
  const bareUrl = await listen(bare);
  try {
    await seedHttpUser(app, ACCOUNT);
    // PROFILE_CLIENT=inprocess: yoga.fetch, one request at a time — no HTTP, no client in the profile.
    const inProcess = process.env.PROFILE_CLIENT === "inprocess";
    const send = async (target: string, query: string, variables: Record<string, unknown>): Promise<unknown> => {
      if (!inProcess) return post(target === "hello" ? bareUrl : url, query, variables);
      const yoga = target === "hello" ? bareYoga : app.yoga;
      const body = JSON.stringify({ query, variables });
      // Content-Length as an HTTP client sends it (without it bodyLimit reads and re-wraps the body).
      const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), authorization: benchRootAuthorization };
      const res = await yoga.fetch("http://localhost/graphql", { method: "POST", headers, body });
      return ((await res.json()) as { data: unknown }).data;
    };
    const op =
      target === "hello"
        ? async () => void (await send("hello", "query H { hello }", {}))
        : async () => {
            const data = (await send("authorize", authorize, { p: KNOWN, a: "s3:GetObject", r: "arn:aws:s3:::bucket-1/x" })) as { authorize: { decision?: string } };
            if (data.authorize.decision !== "allowed") throw new Error(JSON.stringify(data));
          };
    const clients = inProcess ? 1 : 8;
    await drive(500, clients, op);
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    const cpu0 = process.cpuUsage();
    const rate = await drive(requests, clients, op);
    const cpu = process.cpuUsage(cpu0);
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
    session.disconnect();
    if (process.env.PROFILE_OUT) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
    process.stdout.write(`${target} on ${backend} (${inProcess ? "yoga.fetch, 1 client" : "HTTP, 8 fetch clients"}): ${requests} requests, ${rate.toFixed(0)} req/s, ${((cpu.user + cpu.system) / requests).toFixed(0)} µs CPU per request while profiling (load ${fs.readFileSync("/proc/loadavg", "utf8").trim()})\n`);
    process.stdout.write(summarise(profile, Number(process.env.PROFILE_TOP ?? 45)) + "\n");
  } finally {
    await closeServer(server);
    await closeServer(bare);
    await app.close();
    await db.dispose();
  }
}

await main();

/**
 * Soak: does the server's memory stay flat under a steady mixed load once the data stops growing?
 * `node dist/src/cli/main.js serve` runs as a child in postgres mode on a fresh database (created
 * here, dropped after) — the process an operator runs. Six HTTP clients loop for BENCH_SCALE×120 s
 * over: authorize (a known user), simulatePrincipalPolicy, list users, and a create/attach/
 * detach/delete cycle on the client's own user, so the read models end each cycle as they began
 * (the event log itself still grows: every cycle appends four events). The child's RSS (from
 * /proc) and V8 heap (written by a preload to a pipe) are sampled every few seconds; the result
 * is RSS at start, after warm-up (the first quarter) and at the end, and the least-squares slope
 * of RSS and live heap (after a full GC in the child) over the second half, in MB/min. Untyped errors (HTTP failures, GraphQL
 * `errors`) are counted apart from typed IamError answers. Progress goes to stderr.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { benchEnv, benchRootAuthorization, postgresUrl, reports, type Bench, type Row } from "./support.js";

const name = "soak";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACCOUNT = "123456789012";
const clients = 6;
const sampleMs = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Runs inside the child: its live V8 heap (after a full GC, so the slope is not the collector's
// sawtooth), one JSON line per interval on fd 3 (the timer does not keep the child alive).
const heapProbe = `import fs from "node:fs"; setInterval(() => { globalThis.gc?.(); const m = process.memoryUsage(); try { fs.writeSync(3, JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }) + "\\n"); } catch {} }, ${sampleMs}).unref();`;

interface Sample {
  readonly s: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
}

const readRssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** Least-squares slope of y over t (per minute). */
function slopePerMin(points: readonly Sample[], y: (s: Sample) => number): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, p) => a + p.s, 0) / n;
  const my = points.reduce((a, p) => a + y(p), 0) / n;
  const num = points.reduce((a, p) => a + (p.s - mt) * (y(p) - my), 0);
  const den = points.reduce((a, p) => a + (p.s - mt) ** 2, 0);
  return (num / den) * 60;
}

const authorizeQuery = `query A($p: String!) { authorize(principalArn: $p, action: "s3:GetObject", resource: "arn:aws:s3:::soak-bucket/a") { __typename ... on AuthorizationDecision { decision } ... on IamError { code } } }`;
const simulateQuery = `query S($p: String!) { simulatePrincipalPolicy(policySourceArn: $p, actionNames: ["s3:GetObject", "s3:PutObject", "iam:ListUsers"], resourceArns: ["arn:aws:s3:::soak-bucket/a"]) { __typename ... on SimulatePolicyResponse { evaluationResults { evalDecision } } ... on IamError { code } } }`;
const usersQuery = `query U { users(first: 20) { edges { node { userName } } } }`;
const createUser = `mutation C($u: String!) { createUser(userName: $u) { __typename ... on IamError { code } } }`;
const attach = `mutation At($u: String!, $p: String!) { attachUserPolicy(userName: $u, policyArn: $p) { __typename ... on IamError { code } } }`;
const detach = `mutation D($u: String!, $p: String!) { detachUserPolicy(userName: $u, policyArn: $p) { __typename ... on IamError { code } } }`;
const deleteUser = `mutation X($u: String!) { deleteUser(userName: $u) { __typename ... on IamError { code } } }`;
const createPolicy = `mutation P($d: String!) { createPolicy(policyName: "soak-s3", policyDocument: $d) { __typename ... on IamError { code } } }`;

const bench: Bench = {
  name,
  description: "postgres mode: node dist serve under BENCH_SCALE×120 s of mixed HTTP load (6 clients); RSS/heap at start, after warm-up, end, and slope over the second half",
  async run({ backends, scale }) {
    if (!backends.includes("postgres")) return [{ bench: name, backend: "postgres", case: "soak", ops: 0, seconds: 0, rate: 0, note: "skipped: needs PostgreSQL" }];
    if (!fs.existsSync(path.join(root, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (postinstall does)");
    const durationS = 120 * scale;
    const database = `iamgraph_soak_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${database}`;
    const port = 4690 + Math.floor(Math.random() * 100);
    const child = spawn(process.execPath, ["--expose-gc", `--import=data:text/javascript,${encodeURIComponent(heapProbe)}`, "dist/src/cli/main.js", "serve"], {
      cwd: root,
      env: { ...process.env, ...benchEnv, NODE_ENV: "production", LOG_LEVEL: "info", HOST: "127.0.0.1", PORT: String(port), KAFKA_BROKERS: "", IAMGRAPH_ACCOUNT_ID: ACCOUNT, DATABASE_URL: url.toString() },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    let lastHeap = { heapUsed: 0, heapTotal: 0 };
    let heapBuf = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      heapBuf += d.toString();
      const lines = heapBuf.split("\n");
      heapBuf = lines.pop()!;
      if (lines.length) lastHeap = JSON.parse(lines[lines.length - 1]!) as typeof lastHeap;
    });
    const endpoint = `http://127.0.0.1:${port}/graphql`;
    let untyped = 0;
    const typed = new Map<string, number>();
    const firstUntyped: string[] = [];
    const call = async (query: string, variables: Record<string, unknown>): Promise<void> => {
      try {
        const res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json", authorization: benchRootAuthorization }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: Record<string, { __typename?: string; code?: string }>; errors?: unknown[] };
        if (!res.ok || body.errors) {
          untyped++;
          if (firstUntyped.length < 3) firstUntyped.push(`${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
          return;
        }
        const result = Object.values(body.data ?? {})[0];
        if (result?.__typename === "IamError") typed.set(result.code ?? "?", (typed.get(result.code ?? "?") ?? 0) + 1);
      } catch (err) {
        untyped++;
        if (firstUntyped.length < 3) firstUntyped.push(String(err));
      }
    };
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`not listening after 120 s\n${stderr}`)), 120_000);
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("listening")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once("exit", (code) => reject(new Error(`server exited ${code}\n${stderr}`)));
      });
      await sleep(sampleMs + 500); // one heap line from the idle server
      const samples: Sample[] = [];
      const t0 = performance.now();
      const sample = () => {
        const s: Sample = { s: (performance.now() - t0) / 1000, rssMb: readRssMb(child.pid!), heapUsedMb: lastHeap.heapUsed / 1048576, heapTotalMb: lastHeap.heapTotal / 1048576 };
        samples.push(s);
        return s;
      };
      const atStart = sample();
      process.stderr.write(`  soak: idle after start RSS ${atStart.rssMb.toFixed(0)} MB, heap ${atStart.heapUsedMb.toFixed(1)}/${atStart.heapTotalMb.toFixed(1)} MB; ${durationS} s of load, ${clients} clients\n`);
      // The data the readers read: one user holding one policy.
      const policyArn = `arn:aws:iam::${ACCOUNT}:policy/soak-s3`;
      await call(createPolicy, { d: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "arn:aws:s3:::soak-bucket/*" }] }) });
      await call(createUser, { u: "soak-reader" });
      await call(attach, { u: "soak-reader", p: policyArn });
      const reader = `arn:aws:iam::${ACCOUNT}:user/soak-reader`;
      let ops = 0;
      const deadline = t0 + durationS * 1000;
      const timer = setInterval(() => {
        const s = sample();
        process.stderr.write(`  soak ${s.s.toFixed(0).padStart(4)} s: RSS ${s.rssMb.toFixed(0)} MB, heap ${s.heapUsedMb.toFixed(1)}/${s.heapTotalMb.toFixed(1)} MB, ${ops} ops, ${untyped} untyped errors\n`);
      }, sampleMs);
      const worker = async (w: number) => {
        for (let i = 0; performance.now() < deadline; i++) {
          switch (i % 6) {
            case 0:
            case 1:
              await call(authorizeQuery, { p: reader });
              break;
            case 2:
              await call(simulateQuery, { p: reader });
              break;
            case 3:
              await call(usersQuery, {});
              break;
            default: {
              // Create → attach → detach → delete: the read models end each cycle as they began.
              const u = `soak-${w}`;
              await call(createUser, { u });
              await call(attach, { u, p: policyArn });
              await call(detach, { u, p: policyArn });
              await call(deleteUser, { u });
              ops += 3;
            }
          }
          ops++;
        }
      };
      await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      await sleep(sampleMs + 500);
      const end = sample();
      const warm = samples.find((s) => s.s >= durationS / 4) ?? end;
      const secondHalf = samples.filter((s) => s.s >= durationS / 2 && s.s <= durationS);
      const rssSlope = slopePerMin(secondHalf, (s) => s.rssMb);
      const heapSlope = slopePerMin(secondHalf, (s) => s.heapUsedMb);
      const maxRss = Math.max(...samples.map((s) => s.rssMb));
      const typedText = [...typed].map(([c, n]) => `${c} ${n}`).join(", ") || "none";
      const note = `RSS start ${atStart.rssMb.toFixed(0)} → after warm-up ${warm.rssMb.toFixed(0)} → end ${end.rssMb.toFixed(0)} MB (max ${maxRss.toFixed(0)}); second half: RSS ${rssSlope.toFixed(2)} MB/min, heap used ${heapSlope.toFixed(2)} MB/min (heap ${atStart.heapUsedMb.toFixed(0)} → ${warm.heapUsedMb.toFixed(0)} → ${end.heapUsedMb.toFixed(0)} MB); untyped errors ${untyped}; typed ${typedText}`;
      process.stderr.write(`  ✓ soak: ${ops} ops in ${seconds.toFixed(0)} s; ${note}\n`);
      if (firstUntyped.length) process.stderr.write(`  first untyped errors: ${firstUntyped.join(" | ")}\n`);
      reports.push(`soak: ${clients} clients, mixed load (authorize ×2, simulatePrincipalPolicy, users, create/attach/detach/delete user) on node dist serve, postgres mode; RSS from /proc, heap from the child's process.memoryUsage(); slope = least squares over the second half.`);
      return [{ bench: name, backend: "postgres", case: `node dist serve, ${clients} clients, ${durationS} s mixed load`, ops, seconds, rate: ops / seconds, note }];
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  },
};

export default bench;

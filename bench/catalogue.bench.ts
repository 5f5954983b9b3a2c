import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { serviceReference } from "../src/catalogue/service-reference.js";
import { validatePolicy } from "../src/policy/validate-policy.js";
import { policySizeWithoutWhitespace } from "../src/policy/size.js";
import type { Bench, Row } from "./support.js";

// The AWS catalogue's cost where issue 14 bounds it: `npm start` (an embedded server) with the
// builtin five policies and with the full catalogue already imported — time from spawn to
// "listening" and the idle RSS a few seconds later, side by side, alternating. The one-time
// first import is timed too (it is not part of a normal start).

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsx = path.join(root, "node_modules/.bin/tsx");

interface Start {
  readonly ms: number;
  readonly rssMb: number;
}

async function startServer(dataDir: string, mode: "builtin" | "full", port: number): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(tsx, ["src/cli/main.ts", "serve"], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: "", DATABASE_URL: "", IAMGRAPH_DATA_DIR: dataDir, PORT: String(port), IAMGRAPH_AWS_CATALOGUE: mode, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no "listening" within 300 s:\n${out}`)), 300_000);
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("iamgraph listening")) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      child.stderr.on("data", (b: Buffer) => (out += b.toString()));
      child.on("exit", (code) => reject(new Error(`server exited (${code}):\n${out}`)));
    });
    await new Promise((r) => setTimeout(r, 3000)); // idle: let start-up garbage be collected
    const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    // tsx runs the server in a child node process: measure the whole tree's RSS.
    const rssMb = treeRssKb(child.pid!) / 1024 || Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return { ms, rssMb };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

function treeRssKb(pid: number): number {
  let kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  const children = fs.existsSync(`/proc/${pid}/task/${pid}/children`) ? fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim() : "";
  for (const c of children.split(/\s+/).filter(Boolean)) kb += treeRssKb(Number(c));
  return kb;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** validatePolicy on a policy at the 6,144-character quota, with and without the service reference. */
async function validateBench(scale: number): Promise<Row[]> {
  const reference = await serviceReference();
  const actions = [...reference.actions].flatMap(([s, a]) => a.slice(0, 3).map((x) => `${s}:${x}`));
  const statements: object[] = [];
  let text = "";
  for (let i = 0; ; i++) {
    statements.push({ Sid: `S${i}`, Effect: "Allow", Action: actions.slice(i * 8, i * 8 + 8), Resource: `arn:aws:s3:::bucket-${i}/*` });
    const next = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    if (policySizeWithoutWhitespace(next) > 6144) break;
    text = next;
  }
  const rows: Row[] = [];
  const ops = Math.max(50, Math.round(200 * scale));
  const time = (f: () => unknown) => {
    for (let i = 0; i < 10; i++) f();
    const samples: number[] = [];
    for (let i = 0; i < ops; i++) {
      const t0 = performance.now();
      f();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const total = samples.reduce((a, b) => a + b, 0);
    return { total, p50: samples[Math.floor(ops / 2)]!, p99: samples[Math.floor(ops * 0.99)]! };
  };
  const without = time(() => validatePolicy(text));
  const withRef = time(() => validatePolicy(text, { reference }));
  const size = policySizeWithoutWhitespace(text);
  rows.push({ bench: "catalogue", backend: "none", case: `validatePolicy ${size}-char policy, no reference`, ops, seconds: without.total / 1000, rate: (ops * 1000) / without.total, p50Ms: without.p50, p99Ms: without.p99 });
  rows.push({
    bench: "catalogue",
    backend: "none",
    case: `validatePolicy ${size}-char policy, with reference`,
    ops,
    seconds: withRef.total / 1000,
    rate: (ops * 1000) / withRef.total,
    p50Ms: withRef.p50,
    p99Ms: withRef.p99,
    note: `${(withRef.p50 / without.p50).toFixed(2)}× the p50 without`,
  });
  return rows;
}

const bench: Bench = {
  name: "catalogue",
  description: "AWS catalogue: embedded start-up and idle RSS, builtin vs full (imported)",
  async run({ scale }) {
    const rows: Row[] = [];
    rows.push(...(await validateBench(scale)));
    if (process.env.BENCH_CATALOGUE_STARTUP === "0") return rows;
    const dirs = { builtin: fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-cat-b-")), full: fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-cat-f-")) };
    try {
      const first = await startServer(dirs.full, "full", 4290);
      rows.push({ bench: "catalogue", backend: "pglite", case: "first start, full import (once)", ops: 1, seconds: first.ms / 1000, rate: 1000 / first.ms, note: `${first.rssMb.toFixed(0)} MB RSS idle after` });
      await startServer(dirs.builtin, "builtin", 4291); // its first start creates the store and root key
      const runs = Math.max(3, Math.round(3 * scale));
      const got: Record<"builtin" | "full", Start[]> = { builtin: [], full: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of ["builtin", "full"] as const) got[mode].push(await startServer(dirs[mode], mode, mode === "full" ? 4290 : 4291));
      }
      for (const mode of ["builtin", "full"] as const) {
        const ms = median(got[mode].map((s) => s.ms));
        const rss = median(got[mode].map((s) => s.rssMb));
        rows.push({ bench: "catalogue", backend: "pglite", case: `warm start, ${mode} catalogue`, ops: runs, seconds: ms / 1000, rate: 1000 / ms, p50Ms: ms, note: `idle RSS ${rss.toFixed(0)} MB (median of ${runs})` });
      }
      const dt = median(got.full.map((s) => s.ms)) - median(got.builtin.map((s) => s.ms));
      const drss = median(got.full.map((s) => s.rssMb)) - median(got.builtin.map((s) => s.rssMb));
      rows.push({ bench: "catalogue", backend: "pglite", case: "full − builtin", ops: runs, seconds: dt / 1000, rate: 0, note: `${dt >= 0 ? "+" : ""}${dt.toFixed(0)} ms start-up, ${drss >= 0 ? "+" : ""}${drss.toFixed(0)} MB RSS (bounds: +1000 ms, +50 MB)` });
    } finally {
      for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });
    }
    return rows;
  },
};
export default bench;

/**
 * The server's footprint as an operator starts it: each variant is spawned as its own process
 * tree, timed from spawn to its "listening" log line, then left idle and measured — the RSS of
 * every process in the tree (npm, sh, tsx, node), summed. Variants, side by side in one run:
 *   before   `npm run iamgraph -- serve`: npm → sh → tsx → node transpiling TypeScript at run
 *            time, PGlite's default shared_buffers (128MB) — what `npm start` was;
 *   npm start `node dist/src/cli/main.js serve` under npm (the JavaScript postinstall builds);
 *   node dist the same without npm: what production should run.
 * Embedded: a fresh data dir each (first start: initdb, migrations, AWS-managed seed), and a
 * restart on the data dir `node dist` made. PostgreSQL: a fresh database each, dropped after.
 * Embedded also under `node --liftoff-only` (PGlite's WASM left to V8's baseline compiler).
 * Also a bare PGlite probe (PGlite.create + one query, nothing else) at both shared_buffers,
 * and the embedded store's start-up options side by side (embeddedOptions; BENCH_FOOTPRINT=options
 * runs only those).
 * BENCH_FOOTPRINT_BASELINE=<dir of another built checkout> adds, in both modes, its `node dist`
 * and this one's started alternately (BENCH_ROUNDS each, default 3): a change's before/after in
 * one run.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { benchEnv, postgresUrl, reports, type Bench, type Row } from "./support.js";

const name = "footprint";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const idleMs = 8_000;
/** BENCH_FOOTPRINT_BASELINE: another checkout, built (`npm ci` builds dist/), to compare against. */
const baseline = process.env.BENCH_FOOTPRINT_BASELINE;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function treeRss(pid: number): { total: number; parts: string[] } {
  const parts: string[] = [];
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const comm = fs.readFileSync(`/proc/${p}/comm`, "utf8").trim();
      total += kb / 1024;
      parts.push(`${comm} ${Math.round(kb / 1024)}`);
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        for (const child of fs.readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(child));
      }
    } catch {
      // the process went away while being read
    }
  };
  visit(pid);
  return { total, parts };
}

interface Sample {
  readonly startMs: number;
  readonly rssMb: number;
  readonly parts: string;
}

async function runServer(command: string, args: string[], env: Record<string, string>, cwd = root): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    const startMs = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${command} ${args.join(" ")}: not listening after 120 s\n${stderr}`)), 120_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("listening")) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      child.once("exit", (code) => reject(new Error(`${command} exited ${code}\n${stderr}`)));
    });
    await sleep(idleMs);
    const { total, parts } = treeRss(child.pid!);
    return { startMs, rssMb: total, parts: parts.join(", ") };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM"); // its own process group: npm, sh, tsx and node together
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(10_000)]);
  }
}

async function probePglite(sharedBuffers: string): Promise<Sample> {
  const script = `import { PGlite } from "@electric-sql/pglite"; import fs from "node:fs";
const t0 = performance.now(); const db = await PGlite.create("memory://", { postgresqlconf: "shared_buffers=${sharedBuffers}" }); await db.query("select 1");
const t = performance.now() - t0; await new Promise((r) => setTimeout(r, ${idleMs}));
const rss = Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
console.log(JSON.stringify({ t, rss })); await db.close();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once("exit", r));
  const { t, rss } = JSON.parse(out) as { t: number; rss: number };
  return { startMs: t, rssMb: rss, parts: `node ${Math.round(rss)}` };
}

/**
 * The embedded store's start-up options side by side (issue 17 item 5), BENCH_ROUNDS (default 3)
 * alternated rounds of: `node dist/src/cli/main.js serve` first start and restart as this tree
 * builds it (initdb template), the same with the template turned off, and — with BENCH_FOOTPRINT_BASELINE=<another checkout with dist/> — that checkout's dist.
 * Each case's median start-up and idle RSS over the rounds, and every round's numbers.
 */
async function embeddedOptions(base: Record<string, string>, nextPort: () => number, add: (backend: Row["backend"], label: string, s: Sample) => void): Promise<Row[]> {
  const cases: [string, string, Record<string, string>][] = [
    ["this tree", root, {}],
    ["this tree, IAMGRAPH_PGLITE_TEMPLATE=off (initdb)", root, { IAMGRAPH_PGLITE_TEMPLATE: "off" }],
    ...(baseline ? [[`baseline ${baseline}`, baseline, {}] as [string, string, Record<string, string>]] : []),
  ];
  const samples = new Map<string, Sample[]>();
  const record = (label: string, s: Sample) => {
    samples.set(label, [...(samples.get(label) ?? []), s]);
    add("pglite", `round: ${label}`, s);
  };
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no case always runs first (cold page cache) or last.
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const [label, cwd, env] of order) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-footprint-"));
      const args = [path.join(cwd, "dist/src/cli/main.js"), "serve"];
      const run = () => runServer(process.execPath, args, { ...base, ...env, PORT: String(nextPort()), IAMGRAPH_DATA_DIR: dir, DATABASE_URL: "" }, cwd);
      record(`${label}, first start`, await run());
      record(`${label}, restart`, await run());
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [...samples].map(([label, ss]) => {
    const startMs = median(ss.map((s) => s.startMs));
    const rssMb = median(ss.map((s) => s.rssMb));
    const each = ss.map((s) => `${(s.startMs / 1000).toFixed(1)} s/${Math.round(s.rssMb)} MB`).join(", ");
    process.stderr.write(`  ✓ pglite median of ${ss.length}: ${label}: start ${(startMs / 1000).toFixed(2)} s, idle RSS ${Math.round(rssMb)} MB (${each})\n`);
    return { bench: name, backend: "pglite", case: `median of ${ss.length}: ${label}`, ops: 1, seconds: startMs / 1000, rate: 1000 / startMs, p50Ms: startMs, note: `idle RSS ${Math.round(rssMb)} MB; rounds ${each}` };
  });
}

const bench: Bench = {
  name,
  description: "idle RSS (whole process tree) and start-up: npm+tsx (before) vs npm start on dist vs node dist; embedded and PostgreSQL; bare PGlite",
  async run({ backends }) {
    if (baseline && !fs.existsSync(path.join(baseline, "dist/src/cli/main.js"))) throw new Error(`BENCH_FOOTPRINT_BASELINE=${baseline}: no dist/src/cli/main.js there (npm ci builds it)`);
    if (!fs.existsSync(path.join(root, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (postinstall does)");
    const rows: Row[] = [];
    const base = { ...benchEnv, NODE_ENV: "production", LOG_LEVEL: "info", HOST: "127.0.0.1", KAFKA_BROKERS: "", IAMGRAPH_ACCOUNT_ID: "123456789012" };
    const variants: [string, string, string[], Record<string, string>][] = [
      ["before: npm run iamgraph -- serve (npm+tsx, shared_buffers 128MB)", "npm", ["run", "--silent", "iamgraph", "--", "serve"], { IAMGRAPH_PGLITE_SHARED_BUFFERS: "128MB" }],
      ["npm start (node dist under npm)", "npm", ["start", "--silent"], {}],
      ["node dist/src/cli/main.js serve", process.execPath, ["dist/src/cli/main.js", "serve"], {}],
    ];
    const add = (backend: Row["backend"], label: string, s: Sample, ref?: Sample) => {
      const vs = ref ? `; ${(s.rssMb / ref.rssMb).toFixed(2)}× RSS, ${(s.startMs / ref.startMs).toFixed(2)}× start-up of before` : "";
      process.stderr.write(`  ✓ ${backend} ${label}: start ${(s.startMs / 1000).toFixed(2)} s, idle RSS ${Math.round(s.rssMb)} MB (${s.parts})\n`);
      rows.push({ bench: name, backend, case: label, ops: 1, seconds: s.startMs / 1000, rate: 1000 / s.startMs, p50Ms: s.startMs, note: `idle RSS ${Math.round(s.rssMb)} MB [${s.parts}]${vs}` });
    };
    let port = 4570;
    // BENCH_FOOTPRINT=options: only the embedded options side by side (embeddedOptions).
    const optionsOnly = process.env.BENCH_FOOTPRINT === "options";
    if (backends.includes("pglite") && !optionsOnly) {
      let before: Sample | undefined;
      let lastDir = "";
      for (const [label, command, args, env] of variants) {
        lastDir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-footprint-"));
        const s = await runServer(command, args, { ...base, ...env, PORT: String(port++), IAMGRAPH_DATA_DIR: lastDir, DATABASE_URL: "" });
        before ??= s;
        add("pglite", `${label}, first start`, s, before === s ? undefined : before);
      }
      add("pglite", "node dist/src/cli/main.js serve, restart on its data dir", await runServer(process.execPath, ["dist/src/cli/main.js", "serve"], { ...base, PORT: String(port++), IAMGRAPH_DATA_DIR: lastDir, DATABASE_URL: "" }), before);
      // V8's optimizing tier compiles PGlite's WASM a second time; without it (Liftoff, the
      // baseline compiler, only) that code is not kept — smaller, and queries run slower.
      const small = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-footprint-"));
      add("pglite", "node --liftoff-only dist/src/cli/main.js serve, first start", await runServer(process.execPath, ["--liftoff-only", "dist/src/cli/main.js", "serve"], { ...base, PORT: String(port++), IAMGRAPH_DATA_DIR: small, DATABASE_URL: "" }), before);
      for (const sb of ["128MB", "32MB"]) add("pglite", `bare PGlite probe, shared_buffers ${sb}`, await probePglite(sb));
    }
    if (backends.includes("pglite")) rows.push(...(await embeddedOptions(base, () => port++, (b, l, s) => add(b, l, s))));
    if (backends.includes("postgres") && !optionsOnly) {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      let before: Sample | undefined;
      try {
        const onFreshDatabase = async (run: (databaseUrl: string) => Promise<Sample>): Promise<Sample> => {
          const database = `iamgraph_footprint_${randomBytes(4).toString("hex")}`;
          await admin.query(`CREATE DATABASE ${database}`);
          try {
            const url = new URL(postgresUrl);
            url.pathname = `/${database}`;
            return await run(url.toString());
          } finally {
            await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          }
        };
        for (const [label, command, args, env] of variants) {
          const s = await onFreshDatabase((url) => runServer(command, args, { ...base, ...env, PORT: String(port++), DATABASE_URL: url }));
          before ??= s;
          add("postgres", label, s, before === s ? undefined : before);
        }
        // The baseline's `node dist/src/cli/main.js serve` and this one's, started alternately,
        // each on a fresh database — before/after a change, side by side in one run.
        if (baseline) {
          const runs: Record<"baseline" | "this", Sample[]> = { baseline: [], this: [] };
          for (let r = 0; r < rounds; r++) {
            for (const which of ["baseline", "this"] as const) {
              const s = await onFreshDatabase((url) => runServer(process.execPath, ["dist/src/cli/main.js", "serve"], { ...base, PORT: String(port++), DATABASE_URL: url }, which === "baseline" ? baseline : root));
              process.stderr.write(`  ${which} round ${r + 1}: start ${(s.startMs / 1000).toFixed(2)} s, idle RSS ${Math.round(s.rssMb)} MB\n`);
              runs[which].push(s);
            }
          }
          const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
          const summary = (label: string, xs: Sample[], ref?: Sample[]) => {
            const rss = median(xs.map((s) => s.rssMb));
            const start = median(xs.map((s) => s.startMs));
            const vs = ref ? `; ${(rss / median(ref.map((s) => s.rssMb))).toFixed(2)}× RSS, ${(start / median(ref.map((s) => s.startMs))).toFixed(2)}× start-up of the baseline` : "";
            const each = `starts ${xs.map((s) => (s.startMs / 1000).toFixed(2)).join(" / ")} s, RSS ${xs.map((s) => Math.round(s.rssMb)).join(" / ")} MB`;
            rows.push({ bench: name, backend: "postgres", case: label, ops: xs.length, seconds: start / 1000, rate: 1000 / start, p50Ms: start, note: `idle RSS median ${Math.round(rss)} MB (${each})${vs}` });
          };
          summary(`baseline ${baseline}: node dist serve, median of ${runs.baseline.length} alternated starts`, runs.baseline);
          summary(`this checkout: node dist serve, median of ${runs.this.length} alternated starts`, runs.this, runs.baseline);
        }
      } finally {
        await admin.end();
      }
    }
    reports.push(`footprint: RSS summed over each process tree ${idleMs / 1000} s after its "listening" line; start-up = spawn → listening.`);
    return rows;
  },
};

export default bench;

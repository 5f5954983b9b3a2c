/**
 * `npm run bench [-- <filter>…]`: runs every bench/*.bench.ts (or those whose name contains a
 * filter; files starting with `_` are skipped), prints a table to stdout; progress goes to
 * stderr. Not part of `npm test`. A bench file default-exports a `Bench` (see support.ts).
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_SCALE (default 1,
 * multiplies op counts and time caps), BENCH_JSON=<file> (also write the rows as JSON),
 * BENCH_BACKENDS=pglite,postgres (which backends to run; default both, PostgreSQL if reachable).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dropAllSchemas, formatTable, postgresReachable, postgresUrl, reports, type BackendName, type Bench, type Row } from "./support.js";

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const files = fs
    .readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts") && !f.startsWith("_")) // `_name.bench.ts`: kept, not run
    .sort()
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) {
    process.stderr.write(`no bench/*.bench.ts matches ${filters.join(", ")}\n`);
    return 2;
  }

  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const cpu = /model name\s*:\s*(.*)/.exec(safeRead("/proc/cpuinfo"))?.[1] ?? os.cpus()[0]?.model ?? "?";
  process.stderr.write(
    `machine: ${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()}\n`,
  );

  const wanted = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",").map((b) => b.trim());
  const backends: BackendName[] = wanted.includes("pglite") ? ["pglite"] : [];
  const pgStatus = wanted.includes("postgres") ? await postgresReachable() : null;
  if (pgStatus?.ok) {
    backends.push("postgres");
    process.stderr.write(`postgres: ${redact(postgresUrl)} (server ${pgStatus.version})\n`);
  } else if (pgStatus) {
    const bar = "!".repeat(78);
    process.stderr.write(
      `${bar}\n!!! PostgreSQL UNREACHABLE at ${redact(postgresUrl)}: ${pgStatus.error}\n!!! SKIPPING every PostgreSQL case — numbers below are PGlite only.\n${bar}\n`,
    );
  }

  const rows: Row[] = [];
  const failures: string[] = [];
  const started = Date.now();
  for (const file of files) {
    const bench = (await import(pathToFileURL(path.join(here, file)).href)).default as Bench;
    process.stderr.write(`\n== ${bench.name}: ${bench.description}\n`);
    const t0 = Date.now();
    try {
      rows.push(...(await bench.run({ backends, scale })));
    } catch (err) {
      failures.push(`${bench.name}: ${(err as Error).stack ?? String(err)}`);
      process.stderr.write(`!! ${bench.name} failed: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.stderr.write(`== ${bench.name} done in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  }
  if (pgStatus && !pgStatus.ok) {
    for (const bench of new Set(rows.map((r) => r.bench))) {
      rows.push({ bench, backend: "postgres", case: "(all)", ops: 0, seconds: 0, rate: 0, note: "SKIPPED: PostgreSQL unreachable" });
    }
  }

  process.stdout.write(`\n${formatTable(rows)}\n`);
  for (const report of reports) process.stdout.write(`\n${report}\n`);
  process.stdout.write(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)}s; load average at the end ${loadavg()} (other work on the machine skews numbers)\n`);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} bench(es) failed:\n${failures.join("\n")}\n`);
    return 1;
  }
  return 0;
}

function loadavg(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(" ");
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

// Schemas are dropped however the run ends: normally, on a failure, or on Ctrl-C.
let cleaning: Promise<unknown> | undefined;
const cleanup = () => (cleaning ??= dropAllSchemas().then((dropped) => {
  if (dropped.length > 0) process.stderr.write(`dropped schema(s) ${dropped.join(", ")}\n`);
}));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: dropping bench schemas…\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench run failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await cleanup();
}
process.exit(code);

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../support/databases.js";
import { createClusterSchema, eventually, startServerProcess, type ServerProcess } from "../support/server-process.js";

// What keeps an idle postgres-mode server small (issue 17 item 5, bench/RESULTS.md "Footprint"):
// the young generation that start-up's long-lived allocations grew is given back once the server
// listens (src/cli/main.ts), and grows again under load as V8 sees fit; and Prisma's query
// compiler is not kept as an imported 4.6 MB base64 module. Read from the built server an
// operator runs.

const root = fileURLToPath(new URL("../..", import.meta.url));
const built = fs.existsSync(path.join(root, "dist/src/cli/main.js"));

// Loaded into the server (NODE_OPTIONS=--import): on the first SIGUSR2 it reports the young
// generation's committed size; on the second it first keeps 400,000 objects alive — survivors,
// as start-up makes — which grow the young generation only where growth is allowed.
const probe = `import v8 from "node:v8";
let n = 0; const keep = [];
const report = (tag) => process.stderr.write("PROBE " + JSON.stringify({ tag, newSpace: v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").physical_space_size }) + "\\n");
process.on("SIGUSR2", () => {
  if (n++ > 0) for (let i = 0; i < 400_000; i++) keep.push({ i, s: "x" + i });
  report(n === 1 ? "idle" : "after-survivors");
});
`;

function probed(server: ServerProcess, tag: string): Promise<number> {
  return eventually(`the probe's ${tag} line`, async () => {
    const line = server.output().split("\n").find((l) => l.startsWith("PROBE ") && l.includes(`"${tag}"`));
    return line ? (JSON.parse(line.slice("PROBE ".length)) as { newSpace: number }).newSpace : undefined;
  });
}

describe.skipIf(!postgresUrl || (!built && !process.env.CI))("the built server's footprint (postgres mode)", () => {
  let server: ServerProcess | undefined;
  let drop: (() => Promise<void>) | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-footprint-test-"));
  afterAll(async () => {
    await server?.stop();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("idles with a small young generation, and lets it grow again under load", async () => {
    const cluster = await createClusterSchema();
    drop = cluster.drop;
    const probeFile = path.join(dir, "probe.mjs");
    fs.writeFileSync(probeFile, probe);
    server = await startServerProcess({ entry: "built", env: { DATABASE_URL: cluster.databaseUrl, KAFKA_BROKERS: "", NODE_OPTIONS: `--import=${probeFile}` }, timeoutMs: 120_000 });
    server.child.kill("SIGUSR2");
    const idle = await probed(server, "idle");
    // Left alone, start-up grows each semi-space to 16 MB: ~30 MB committed at idle.
    expect(idle).toBeLessThanOrEqual(4 * 1024 * 1024);
    server.child.kill("SIGUSR2");
    const loaded = await probed(server, "after-survivors");
    // Capped for good it would stay at its idle size and cost 20–50% more CPU per request.
    expect(loaded).toBeGreaterThan(idle * 2);
  }, 150_000);

  it("the generated client reads the query compiler's WASM instead of importing its base64 module", () => {
    const client = fs.readFileSync(path.join(root, "src/generated/prisma/internal/class.ts"), "utf8");
    expect(client).not.toMatch(/await import\("@prisma\/client\/runtime\/[\w.-]+\.wasm-base64\.mjs"\)/);
    expect(client).toMatch(/readFile\(createRequire\(import\.meta\.url\)\.resolve\("@prisma\/client\/runtime\/query_compiler_\w+_bg\.postgresql\.wasm-base64\.mjs"\)/);
  });
});

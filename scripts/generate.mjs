// Runs `prisma generate` (Prisma client + Pothos types) without Prisma's native engines:
// generation itself is WASM, but the CLI insists on a schema-engine path, so we give it a stub.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const stub = fileURLToPath(new URL("./no-schema-engine.sh", import.meta.url));
const result = spawnSync("npx", ["prisma", "generate"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
});
if (result.status !== 0) process.exit(result.status ?? 1);
// The AWS catalogue artifact (scripts/generate-aws-catalogue.mjs): cheap when already current.
const catalogue = spawnSync(process.execPath, [fileURLToPath(new URL("./generate-aws-catalogue.mjs", import.meta.url))], { stdio: ["ignore", "inherit", "inherit"] });
if (catalogue.status !== 0) process.exit(catalogue.status ?? 1);

// The web console (issue 16): built here so `npm install && npm start` serves it.
const { buildConsole } = await import("./build-console.mjs");
await buildConsole();


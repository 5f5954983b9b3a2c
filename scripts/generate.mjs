// Runs `prisma generate` (Prisma client + Pothos types) without Prisma's native engines:
// generation itself is WASM, but the CLI insists on a schema-engine path, so we give it a stub.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const stub = fileURLToPath(new URL("./no-schema-engine.sh", import.meta.url));
const result = spawnSync("npx", ["prisma", "generate"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
});
if (result.status !== 0) process.exit(result.status ?? 1);

// Prisma's client gets its query compiler (WASM) by importing a module that exports it as a
// 4.6 MB base64 string. An imported module lives as long as the process, so its source and the
// string stayed on the heap for ever (~9 MB of a ~45 MB idle heap, issue 17 item 5). Read the same
// file instead, decode it, and let the text go once the module is compiled.
const classFile = fileURLToPath(new URL("../src/generated/prisma/internal/class.ts", import.meta.url));
const generated = fs.readFileSync(classFile, "utf8");
const wasmImport = /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/[\w.-]+\.wasm-base64\.mjs)"\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
if (!wasmImport.test(generated)) {
  process.stderr.write(`scripts/generate.mjs: ${classFile} no longer imports the query compiler's base64 module as expected (Prisma changed its generated client): update the rewrite here\n`);
  process.exit(1);
}
fs.writeFileSync(
  classFile,
  generated.replace(
    wasmImport,
    (_, specifier, indent) =>
      `// iamgraph (scripts/generate.mjs): read, not imported, so the base64 text is garbage once compiled.\n${indent}const { readFile } = await import("node:fs/promises")\n${indent}const { createRequire } = await import("node:module")\n${indent}const text = await readFile(createRequire(import.meta.url).resolve("${specifier}"), "utf8")\n${indent}const wasm = /const wasm = "([^"]+)"/.exec(text)?.[1]\n${indent}if (!wasm) throw new Error("${specifier}: no base64 WASM in it")\n${indent}return await decodeBase64AsWasm(wasm)`,
  ),
);
// The AWS catalogue artifact (scripts/generate-aws-catalogue.mjs): cheap when already current.
const catalogue = spawnSync(process.execPath, [fileURLToPath(new URL("./generate-aws-catalogue.mjs", import.meta.url))], { stdio: ["ignore", "inherit", "inherit"] });
if (catalogue.status !== 0) process.exit(catalogue.status ?? 1);

// The web console (issue 16): built here so `npm install && npm start` serves it.
const { buildConsole } = await import("./build-console.mjs");
await buildConsole();


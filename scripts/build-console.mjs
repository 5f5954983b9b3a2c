// Builds the web console (src/console) into dist/console: the GraphQL types generated from the
// committed schema/schema.graphql (so a schema change breaks `npm run typecheck` rather than the
// console's users), then one esbuild bundle of script and stylesheet. Run by scripts/generate.mjs
// on every `npm install`/`npm ci`; takes about a second. Type checking is `npm run typecheck`.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildSchema, introspectionFromSchema } from "graphql";
import { minifyIntrospection, outputIntrospectionFile } from "@gql.tada/internal";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = `${root}src/console/`;
const out = `${root}dist/console/`;

export async function generateConsoleTypes() {
  const sdl = await readFile(`${root}schema/schema.graphql`, "utf8");
  const introspection = minifyIntrospection(introspectionFromSchema(buildSchema(sdl)));
  await mkdir(`${src}generated`, { recursive: true });
  await writeAtomically(`${src}generated/graphql-env.d.ts`, outputIntrospectionFile(introspection, { fileType: ".d.ts", shouldPreprocess: true }));
}

// Each file replaced by a rename: a server (or a test running beside another build) reads the
// old file or the new one, never half of one.
async function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

export async function buildConsole() {
  await generateConsoleTypes();
  await mkdir(out, { recursive: true });
  const result = await build({
    write: false,
    entryPoints: { app: `${src}main.tsx` },
    outdir: out,
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "linked",
    logLevel: "warning",
    // graphql-ws's browser build: no `ws`, the browser's WebSocket.
    platform: "browser",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  for (const file of result.outputFiles) await writeAtomically(file.path, file.contents);
  await writeAtomically(`${out}index.html`, await readFile(`${src}index.html`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildConsole();
  console.log(`console built in ${Date.now() - started} ms → dist/console`);
}

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/**
 * A new PGlite store starts from the data directory PGlite's initdb makes — the same for every
 * store of one PGlite version, and the slowest part of a first start (4–5 s of initdb in a
 * separate WASM instance, whose memory an idle process then keeps until a GC it may never run;
 * bench/RESULTS.md, issue 17 item 5). So `npm run build` runs initdb once and keeps its data dir
 * as a tarball; a new store loads it instead (~1 s). Only initdb's output is kept: migrations
 * and the seed still run on every new store, so the template cannot go stale with the schema.
 * It is tied to the PGlite version that made it; any other version (or no template: sources run
 * with tsx before a build) runs initdb as before.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** src/db → the package root; dist/src/db → dist, whose parent is the root. */
const root = [path.resolve(here, "../.."), path.resolve(here, "../../..")].find((d) => fs.existsSync(path.join(d, "package.json"))) ?? path.resolve(here, "../..");
const templateFile = path.join(root, "dist", "pglite-initdb.tar.gz");

function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
}

const versionFile = `${templateFile}.version`;

/** The template for this PGlite version, or undefined (then PGlite runs initdb). */
export function initdbTemplate(): Blob | undefined {
  if (process.env.IAMGRAPH_PGLITE_TEMPLATE === "off") return undefined;
  try {
    if (fs.readFileSync(versionFile, "utf8").trim() !== pgliteVersion()) return undefined;
    return new Blob([fs.readFileSync(templateFile)]);
  } catch {
    return undefined;
  }
}

/** Runs initdb in memory and writes its data dir as the template (scripts/pglite-template.mjs, at build). */
export async function writeInitdbTemplate(): Promise<string> {
  const db = await PGlite.create("memory://");
  try {
    const tarball = await db.dumpDataDir("gzip");
    fs.mkdirSync(path.dirname(templateFile), { recursive: true });
    fs.writeFileSync(templateFile, Buffer.from(await tarball.arrayBuffer()));
    fs.writeFileSync(versionFile, pgliteVersion());
  } finally {
    await db.close();
  }
  return templateFile;
}

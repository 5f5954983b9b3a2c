import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding iamgraph's package.json, whether this module runs from the sources
 * (src/, through tsx or Vitest) or from the build `npm start` runs (dist/src/). The data files
 * the server reads — migrations, the AWS service models, the catalogue artifact, the built
 * console — are found from here, so the build copies none of them.
 */
export const packageRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
})();

/** A path inside the package, e.g. fromPackageRoot("prisma", "migrations"). */
export const fromPackageRoot = (...parts: string[]): string => path.join(packageRoot, ...parts);

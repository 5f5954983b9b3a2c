// Regenerates src/aws/models/{iam,sts}.json: the IAM and STS service models from the `aws-sdk`
// v2 package (apis/iam-2010-05-08.min.json, apis/sts-2011-06-15.min.json; Apache-2.0, see
// src/aws/models/NOTICE.md), trimmed to the operations iamgraph answers (src/aws/supported-actions.ts)
// and the shapes they reach. Run: npx tsx scripts/aws-models.ts  (uses `npm pack`; nothing is installed).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { supportedActions } from "../src/aws/supported-actions.js";

export const sdkVersion = "2.1693.0";
const out = fileURLToPath(new URL("../src/aws/models/", import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aws-models-"));
try {
  const tarball = execFileSync("npm", ["pack", `aws-sdk@${sdkVersion}`, "--silent", "--pack-destination", tmp], { encoding: "utf8" }).trim().split("\n").at(-1)!;
  const files = { iam: "package/apis/iam-2010-05-08.min.json", sts: "package/apis/sts-2011-06-15.min.json" } as const;
  execFileSync("tar", ["-xzf", path.join(tmp, tarball), "-C", tmp, files.iam, files.sts]);
  for (const service of ["iam", "sts"] as const) {
    const model = JSON.parse(fs.readFileSync(path.join(tmp, files[service]), "utf8"));
    const operations: Record<string, unknown> = {};
    const shapes: Record<string, unknown> = {};
    const reach = (node: any): void => {
      if (!node || typeof node !== "object") return;
      if (typeof node.shape === "string" && !shapes[node.shape]) {
        shapes[node.shape] = model.shapes[node.shape];
        reach(model.shapes[node.shape]);
      }
      for (const child of [node.member, node.key, node.value, ...Object.values(node.members ?? {})]) reach(child);
    };
    for (const name of supportedActions[service]) {
      const op = model.operations[name];
      if (!op) throw new Error(`${service} model has no operation ${name}`);
      operations[name] = { input: op.input, output: op.output };
      reach(op.input);
      reach(op.output);
    }
    const trimmed = { source: `aws-sdk@${sdkVersion} ${files[service].replace("package/", "")}`, metadata: model.metadata, operations, shapes: Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b))) };
    fs.writeFileSync(path.join(out, `${service}.json`), JSON.stringify(trimmed, null, 1) + "\n");
    console.log(`${service}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

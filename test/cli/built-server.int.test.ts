import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

// `npm start` runs the JavaScript that postinstall builds into dist/ (tsconfig.build.json), not
// the TypeScript: this starts that build as a process of its own on an embedded store (its
// migrations are found from dist/ too) and has it answer an authenticated request.

const root = fileURLToPath(new URL("../..", import.meta.url));
const built = fs.existsSync(path.join(root, "dist/src/cli/main.js"));
if (!built) {
  const bar = "!".repeat(78);
  process.stderr.write(`${bar}\n!!! dist/ is not built (npm run build; postinstall does it): the built-server test is SKIPPED\n${bar}\n`);
}

describe.skipIf(!built && !process.env.CI)("the built server (dist/, what npm start runs)", () => {
  let server: ServerProcess | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-built-"));
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts from dist/ on a fresh embedded store and answers an authenticated request", async () => {
    expect(built, "dist/src/cli/main.js is missing: npm ci runs postinstall, which builds it").toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node dist/src/cli/main.js serve");
    server = await startServerProcess({ entry: "built", env: { DATABASE_URL: "", KAFKA_BROKERS: "", IAMGRAPH_DATA_DIR: dataDir }, timeoutMs: 120_000 });
    const r = await server.request<{ callerIdentity: { arn: string } }>(`{ callerIdentity { arn } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data?.callerIdentity.arn).toMatch(/^arn:aws:iam::\d{12}:root$/);
  }, 150_000);
});

import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../support/root-key.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { comparable, smallAccountFile } from "../snapshot/snapshot-app.js";

// `iamgraph import aws` / `export aws` as an operator runs them: on an embedded store nobody
// holds (the command opens it), and on one a running server holds (the command goes through the
// server's importAccountSnapshot / accountSnapshot, so the store is imported while it serves).

const repo = fileURLToPath(new URL("../..", import.meta.url));
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ["--import", pathToFileURL(path.join(repo, "node_modules/tsx/dist/loader.mjs")).href, path.join(repo, "src/cli/main.ts"), ...args], {
    cwd: repo,
    env: { ...process.env, DATABASE_URL: "", KAFKA_BROKERS: "", LOG_LEVEL: "silent", ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const expected = () => comparable(JSON.parse(fs.readFileSync(smallAccountFile, "utf8")));

describe("iamgraph import aws / export aws on an embedded store", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-aws-snapshot-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("opens the store itself: dry run writes nothing, import, export gives the file back", { timeout: 360_000 }, async () => {
    const env = { IAMGRAPH_DATA_DIR: path.join(dir, "alone"), IAMGRAPH_ACCOUNT_ID: "111122223333" };
    const dry = await run(["import", "aws", smallAccountFile, "--as-of", "2024-06-01T00:00:00Z", "--dry-run"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run \(nothing written\): 19 commands/m);
    expect(dry.stdout).toMatch(/^ {2}UserCreated +2$/m);
    expect(dry.stdout).toContain("arn:aws:iam::111122223333:user/ops/bob *: implicitDeny → allowed");
    const empty = await run(["export", "aws"], env);
    expect(JSON.parse(empty.stdout).UserDetailList).toEqual([]);

    const real = await run(["import", "aws", smallAccountFile, "--as-of", "2024-06-01T00:00:00Z"], env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^imported: 19 commands as import:small-account.json/m);
    // Progress goes to stderr, the report to stdout.
    expect(real.stderr).toContain("read 2 users, 2 groups, 1 roles, 2 customer-managed policies");
    expect(real.stderr).toMatch(/^appended \d+ events, through position \d+$/m);
    const badFlag = await run(["import", "aws", smallAccountFile, "--over-quota", "maybe"], env);
    expect([badFlag.code, badFlag.stderr.trim()]).toEqual([2, "iamgraph: --over-quota takes note or refuse"]);
    const exported = await run(["export", "aws"], env);
    expect(comparable(JSON.parse(exported.stdout))).toEqual(expected());

    const other = await run(["import", "aws", smallAccountFile], { ...env, IAMGRAPH_ACCOUNT_ID: "123456789012" });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("The snapshot is of account 111122223333; this store is account 123456789012's");
  });

  describe("held by a running server", () => {
    const env = { IAMGRAPH_DATA_DIR: path.join(dir, "served"), IAMGRAPH_ACCOUNT_ID: "111122223333" };
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServerProcess({ env: { ...env, DATABASE_URL: "", KAFKA_BROKERS: "" } });
    }, 120_000);
    afterAll(() => server?.stop());

    it("imports and exports through the server while it serves", { timeout: 180_000 }, async () => {
      const imported = await run(["import", "aws", smallAccountFile, "--as-of", "2024-06-01T00:00:00Z"], { ...env, ...testEnv });
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain(`the store is held by the iamgraph server at ${server.url}`);
      expect(imported.stdout).toMatch(/^imported: 19 commands/m);
      const r = await server.request<{ user: { userId: string } }>(`{ user(userName: "alice") { userId } }`);
      expect(r.data?.user.userId).toBe("AIDAQ3EGRQ3ALICE00001");
      const exported = await run(["export", "aws", "--as-of", "2024-06-01T00:00:00Z"], { ...env, ...testEnv });
      expect(exported.code, exported.stderr).toBe(0);
      expect(comparable(JSON.parse(exported.stdout))).toEqual(expected());
    });
  });
});

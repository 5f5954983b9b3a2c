import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../support/root-key.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";

// Operator commands on an embedded store that a server holds go through that server: the
// rebuild runs inside it while it keeps serving and writing, and nothing can corrupt the store.
// Commands that read a store never create one.

const repo = fileURLToPath(new URL("../..", import.meta.url));
const run = (args: string[], env: Record<string, string>, cwd = repo) =>
  // tsx by its path: the command may run from a directory without node_modules.
  promisify(execFile)(process.execPath, ["--import", pathToFileURL(path.join(repo, "node_modules/tsx/dist/loader.mjs")).href, path.join(repo, "src/cli/main.ts"), ...args], {
    cwd,
    // The embedded store, whatever this run's environment says (CI sets DATABASE_URL and KAFKA_BROKERS).
    env: { ...process.env, DATABASE_URL: "", KAFKA_BROKERS: "", LOG_LEVEL: "silent", ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const createUser = (server: ServerProcess, userName: string) =>
  server.request<{ createUser: { __typename: string } }>(`mutation($n: String!) { createUser(userName: $n) { __typename } }`, { n: userName });
const userCount = async (server: ServerProcess) => {
  const r = await server.request<{ accountSummary: { users: number } }>(`{ accountSummary { users } }`);
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.accountSummary.users;
};

describe("operator commands against a served embedded store", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-operator-"));
  const dataDir = path.join(dir, "data");
  const env = { IAMGRAPH_DATA_DIR: dataDir };
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ env: { ...env, DATABASE_URL: "", KAFKA_BROKERS: "" } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("rebuilds through the server while it serves and writes; reads are right after, and after a restart", { timeout: 240_000 }, async () => {
    for (let i = 0; i < 30; i++) expect((await createUser(server, `before-${i}`)).data?.createUser.__typename).toBe("UserPayload");
    // Writers keep going for the whole rebuild, switch included.
    let writing = true;
    let acknowledged = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const r = await createUser(server, `during-${i}`);
        if (r.data?.createUser.__typename === "UserPayload") acknowledged++;
      }
    })();
    const rebuild = await run(["projections", "rebuild", "users"], { ...env, ...testEnv });
    writing = false;
    await writer;
    expect(rebuild.stderr).toContain(`the store is held by the iamgraph server at ${server.url}`);
    expect(rebuild.stderr).toMatch(/rebuilt users from \d+ events \(through position \d+\)/);
    expect(rebuild.code).toBe(0);
    expect(acknowledged).toBeGreaterThan(0);
    expect(await userCount(server)).toBe(30 + acknowledged);
    // A write after the switch lands in the new tables.
    expect((await createUser(server, "after")).data?.createUser.__typename).toBe("UserPayload");
    expect(await userCount(server)).toBe(31 + acknowledged);

    const status = await run(["projections", "status"], { ...env, ...testEnv });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^users\s+2\s+\d+\s+\d+\s+0\s+last /m); // version 2 after one rebuild, no lag

    // A clean restart: every read works on the rebuilt tables.
    await server.stop();
    server = await startServerProcess({ env: { ...env, DATABASE_URL: "", KAFKA_BROKERS: "" } });
    expect(await userCount(server)).toBe(31 + acknowledged);
    const alice = await server.request<{ user: { userName: string } | null }>(`{ user(userName: "before-7") { userName } }`);
    expect(alice.errors).toBeUndefined();
    expect(alice.data?.user?.userName).toBe("before-7");
  });

  it("a second server on the same data dir is refused, naming the holder's pid and URL", { timeout: 120_000 }, async () => {
    const second = await run(["serve"], { ...env, ...testEnv, PORT: "0" });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${server.child.pid} (an iamgraph server at ${server.url})`);
    expect(await userCount(server)).toBeGreaterThan(0);
  });

  it("export and import refuse while a server holds the store; a rebuild without credentials says which to set", { timeout: 120_000 }, async () => {
    const exported = await run(["events", "export", path.join(dir, "x.ndjson")], env);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain(`is held by the iamgraph server at ${server.url} (pid ${server.child.pid}); stop it to export the log`);
    expect(fs.existsSync(path.join(dir, "x.ndjson"))).toBe(false);
    const rebuild = await run(["projections", "rebuild"], { ...env, IAMGRAPH_ROOT_ACCESS_KEY_ID: "", IAMGRAPH_ROOT_SECRET_ACCESS_KEY: "", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    expect(rebuild.code).toBe(1);
    expect(rebuild.stderr).toContain("set IAMGRAPH_ROOT_ACCESS_KEY_ID and IAMGRAPH_ROOT_SECRET_ACCESS_KEY");
  });
});

describe("operator commands never create a store and answer mistakes in one line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-nostore-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const noStoreEnv = { IAMGRAPH_DATA_DIR: "" };

  it("projections status from a directory with no store refuses and creates nothing", { timeout: 60_000 }, async () => {
    const r = await run(["projections", "status"], noStoreEnv, dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("iamgraph: no iamgraph store at ./data; set IAMGRAPH_DATA_DIR or DATABASE_URL");
    expect(fs.existsSync(path.join(dir, "data"))).toBe(false);
  });

  it("an unknown projection name and a missing file are one line and exit code 2", { timeout: 60_000 }, async () => {
    const unknown = await run(["projections", "rebuild", "nosuch"], noStoreEnv, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^iamgraph: no such projection: nosuch \(projections: users, /);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const missing = await run(["events", "import", "nope.ndjson"], noStoreEnv, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("iamgraph: no such file: nope.ndjson");
    expect(fs.existsSync(path.join(dir, "data"))).toBe(false);
  });
});

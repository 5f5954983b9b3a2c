import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
import { seedAwsManagedPolicies } from "../../src/app/seed-aws-managed.js";
import { checkLogFile, exportLog, ImportRefused, importLog, LogFileError } from "../../src/eventstore/log-file.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// Export / import of the log as NDJSON: a round trip gives the same events and the same read
// models; a corrupt or truncated file is rejected whole and writes nothing.

const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
const tables = ["users", "user_tags", "groups", "group_memberships", "roles", "policies", "policy_versions", "policy_attachments", "inline_policies", "effective_policies", "projection_checkpoints"];

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let text = "";
  for await (const chunk of gen) text += chunk;
  return text;
}

async function dump(db: TestDatabase, table: string): Promise<string[]> {
  const order = table === "projection_checkpoints" ? "name" : "1";
  const rows = await db.sql.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${table} t ORDER BY ${order}`);
  // Checkpoint and recording times say when this store did the work, not what the log holds.
  return rows.map((x) => x.r.replace(/"(updated_at|recorded_at)":"[^"]*"/, "")).sort();
}

describe.each(backends)("events export/import on $name", (backend) => {
  let source: TestApp;
  let exported: string;
  beforeAll(async () => {
    source = await startTestApp(backend);
    const commands: Command[] = [
      { type: "CreateUser", userName: "alice", path: "/", tags: [{ key: "team", value: "red" }] },
      { type: "CreateGroup", groupName: "devs", path: "/" },
      { type: "AddUserToGroup", userName: "alice", groupName: "devs" },
      { type: "CreatePolicy", policyName: "S3Read", path: "/", policyDocument: doc, description: "", tags: [] },
      { type: "AttachPolicy", entityType: "group", entityName: "devs", policyArn: "arn:aws:iam::123456789012:policy/S3Read" },
      { type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" },
      { type: "PutInlinePolicy", entityType: "user", entityName: "alice", policyName: "own", policyDocument: doc },
    ];
    for (const c of commands) await source.app.commands.handle(c, { actor: "arn:aws:iam::123456789012:user/admin" });
    exported = await collect(exportLog(source.db.prisma));
  });
  afterAll(async () => source?.close());

  const fresh = async () => {
    const db = await backend.open();
    await seedAwsManagedPolicies(db.prisma);
    return db;
  };

  it("round-trips: the same events, byte for byte, and the same read models", async () => {
    const target = await fresh();
    try {
      const progress: string[] = [];
      const result = await importLog(target.prisma, exported, (phase, done, total) => progress.push(`${phase} ${done}/${total}`));
      expect(result.imported).toBe(7);
      expect(progress).toEqual(["insert 7/7", "project 7/7"]);
      expect(await dump(target, "events")).toEqual((await dump(source.db, "events")).map((r) => r));
      for (const table of tables) expect({ table, rows: await dump(target, table) }).toEqual({ table, rows: await dump(source.db, table) });
      // New appends continue after the imported positions.
      const row = await target.sql.query<{ p: string }>(`SELECT nextval(pg_get_serial_sequence('events', 'position'))::text AS p`);
      expect(Number(row[0]!.p)).toBe(8);
      expect(await collect(exportLog(target.prisma))).toEqual(expect.stringContaining(exported.split("\n")[1]!));
    } finally {
      await target.dispose();
    }
  });

  const lines = () => exported.trimEnd().split("\n");
  const join = (ls: string[]) => `${ls.join("\n")}\n`;
  const edit = (i: number, change: (e: any) => void) => {
    const ls = lines();
    const e = JSON.parse(ls[i]!);
    change(e);
    ls[i] = JSON.stringify(e);
    return join(ls);
  };
  const corrupt: [string, () => string, RegExp][] = [
    ["cut in the middle of a line", () => exported.slice(0, Math.floor(exported.length / 2)), /not valid JSON|truncated/],
    ["cut at a line boundary (no trailer)", () => join(lines().slice(0, -2)), /trailer line is missing/],
    ["positions out of order", () => { const ls = lines(); [ls[2], ls[3]] = [ls[3]!, ls[2]!]; return join(ls); }, /does not follow/],
    ["a stream version skipped", () => join(lines().filter((_, i) => i !== 3)), /expected 2|trailer says/],
    ["an unknown event type", () => edit(1, (e) => (e.type = "UserTeleported")), /unknown event type UserTeleported/],
    ["a schema version this build does not know", () => edit(1, (e) => (e.schemaVersion = 9)), /has no schema version 9/],
    ["data that does not fit its type", () => edit(1, (e) => delete e.data.userName), /does not fit its schema/],
    ["a line that is not JSON", () => { const ls = lines(); ls[4] = "{oops"; return join(ls); }, /line 5: not valid JSON/],
    ["metadata without an actor", () => edit(2, (e) => delete e.metadata.actor), /metadata needs/],
  ];

  describe("corrupt files", () => {
    let target: TestDatabase;
    beforeAll(async () => {
      target = await fresh();
    });
    afterAll(async () => target?.dispose());

    it.each(corrupt)("rejects a file with %s, writing nothing", async (_name, make, problem) => {
      const text = make();
      expect(() => checkLogFile(text)).toThrow(problem);
      await expect(importLog(target.prisma, text)).rejects.toBeInstanceOf(LogFileError);
      expect(await target.prisma.event.count()).toBe(0);
      expect(await target.prisma.user.count()).toBe(0);
      expect(await target.prisma.projectionCheckpoint.count()).toBe(0);
    });
  });

  it("refuses to import into a log that already holds events, writing nothing", async () => {
    const before = await source.eventCount();
    // The store's reason, not the file's: the file is valid.
    const refusal = importLog(source.db.prisma, exported);
    await expect(refusal).rejects.toBeInstanceOf(ImportRefused);
    await expect(refusal).rejects.toThrow(`The store already holds ${before} events: a log is imported only into an empty store`);
    expect(await source.eventCount()).toBe(before);
  });
});

describe("iamgraph events export|import (CLI)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-events-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[], dataDir: string) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, IAMGRAPH_DATA_DIR: dataDir, DATABASE_URL: "", KAFKA_BROKERS: "", LOG_LEVEL: "silent" },
    });

  it("exports a store to a file and refuses a corrupt one on import, exit code 1", { timeout: 120_000 }, async () => {
    const file = path.join(dir, "log.ndjson");
    // No store there yet: export refuses instead of creating one and exporting nothing.
    await expect(cli(["events", "export", file], path.join(dir, "a"))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("no iamgraph store at") });
    expect(fs.existsSync(path.join(dir, "a"))).toBe(false);
    await cli(["migrate"], path.join(dir, "a"));
    const empty = await cli(["events", "export", file], path.join(dir, "a"));
    expect(fs.readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(2); // header + trailer
    expect(empty.stdout).toBe("");
    fs.writeFileSync(file, "{not json\n");
    await expect(cli(["events", "import", file], path.join(dir, "a"))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("nothing was imported") });
  });
});

describe.each(backends)("imported access keys on $name", (backend) => {
  it("are listed as AWS lists them, but say they cannot authenticate — secrets never travel with a log", async () => {
    const source = await startTestApp(backend);
    const target = await startTestApp(backend);
    try {
      await source.client.request(`mutation { createUser(userName: "kim") { __typename } }`);
      const created = await source.client.request<{ createAccessKey: { accessKey: { accessKeyId: string; secretAccessKey: string } } }>(
        `mutation { createAccessKey(userName: "kim") { ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } } }`,
      );
      const { accessKeyId, secretAccessKey } = created.data!.createAccessKey.accessKey;
      const list = `{ accessKeys(userName: "kim") { accessKeyId status canAuthenticate } }`;
      expect((await source.client.request(list)).data).toEqual({ accessKeys: [{ accessKeyId, status: "Active", canAuthenticate: true }] });

      await importLog(target.db.prisma, await collect(exportLog(source.db.prisma)));
      expect((await target.client.request(list)).data).toEqual({ accessKeys: [{ accessKeyId, status: "Active", canAuthenticate: false }] });
      const signed = await target.clientWith(accessKeyId, secretAccessKey).request(`{ callerIdentity { arn } }`);
      expect(signed.status).toBe(401);
      expect(signed.errors?.[0]?.extensions?.code).toBe("InvalidClientTokenId");
    } finally {
      await source.close();
      await target.close();
    }
  });
});

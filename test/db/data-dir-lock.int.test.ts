import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DataDirLock, DataDirLocked } from "../../src/db/data-dir-lock.js";
import { openDatabase } from "../../src/db/database.js";

// PGlite is one process's database: two processes on one data dir corrupt it. The store's lock
// refuses the second opener at once, naming the holder, and takes over a dead holder's lock.

const cli = (args: string[], dataDir: string) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, IAMGRAPH_DATA_DIR: dataDir, DATABASE_URL: "", KAFKA_BROKERS: "", LOG_LEVEL: "silent" },
  });

describe("the embedded store's data-dir lock", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-lock-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a second process at once, naming the holder's pid and its URL; the store is untouched", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "held");
    const db = await openDatabase({ dataDir, purpose: "serve" });
    try {
      await db.sql.exec(`CREATE TABLE marker (n int); INSERT INTO marker VALUES (42)`);
      db.dataDirLock!.advertise("http://127.0.0.1:4999/graphql");
      const started = Date.now();
      const refusal = await cli(["migrate"], dataDir).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(refusal, "a second process opened a held store").toBeDefined();
      expect(refusal!.code).toBe(1);
      expect(refusal!.stderr).toContain(`is in use by process ${process.pid} (an iamgraph server at http://127.0.0.1:4999/graphql)`);
      expect(refusal!.stderr).not.toMatch(/\n\s+at /); // one line, no stack
      expect(Date.now() - started).toBeLessThan(30_000); // refused, not queued (generous: tsx start-up)
      // The holder still reads what it wrote: the refused process touched nothing.
      expect(await db.sql.query<{ n: number }>(`SELECT n FROM marker`)).toEqual([{ n: 42 }]);
    } finally {
      await db.close();
    }
    expect(fs.existsSync(DataDirLock.lockFile(dataDir))).toBe(false);
    await cli(["migrate"], dataDir); // released: the next opener gets in
  });

  it("refuses a second opener in the same process too", async () => {
    const dataDir = path.join(dir, "twice");
    fs.mkdirSync(dataDir);
    const lock = DataDirLock.acquire(dataDir, "test");
    try {
      expect(() => DataDirLock.acquire(dataDir)).toThrow(DataDirLocked);
      expect(() => DataDirLock.acquire(dataDir)).toThrow(`in use by process ${process.pid} (test)`);
    } finally {
      lock.release();
    }
  });

  it("takes over the lock of a holder that died (kill -9 leaves the file)", async () => {
    const dataDir = path.join(dir, "stale");
    fs.mkdirSync(dataDir);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    fs.writeFileSync(DataDirLock.lockFile(dataDir), JSON.stringify({ pid: Number(dead), processStart: "1", hostname: os.hostname(), acquiredAt: "2026-01-01T00:00:00.000Z", url: "http://127.0.0.1:1/graphql" }));
    expect(DataDirLock.liveHolder(dataDir)).toBeUndefined();
    const lock = DataDirLock.acquire(dataDir, "test");
    try {
      expect(DataDirLock.holderOf(dataDir)?.pid).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  it("takes over a lock whose pid now belongs to another process (pid reuse), by its start time", () => {
    const dataDir = path.join(dir, "reused");
    fs.mkdirSync(dataDir);
    // The parent process is alive, but it is not the process that wrote this record.
    fs.writeFileSync(DataDirLock.lockFile(dataDir), JSON.stringify({ pid: process.ppid, processStart: "0", hostname: os.hostname(), acquiredAt: "2026-01-01T00:00:00.000Z" }));
    const lock = DataDirLock.acquire(dataDir, "test");
    try {
      expect(DataDirLock.holderOf(dataDir)?.pid).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  it("does not take over a live holder's lock whose file is a moment old and still empty", () => {
    const dataDir = path.join(dir, "young");
    fs.mkdirSync(dataDir);
    fs.writeFileSync(DataDirLock.lockFile(dataDir), "");
    expect(() => DataDirLock.acquire(dataDir)).toThrow(DataDirLocked);
    expect(fs.readFileSync(DataDirLock.lockFile(dataDir), "utf8")).toBe("");
  });
});

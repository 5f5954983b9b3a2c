import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { rebuildProjections } from "../../src/projections/rebuild.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { postgres, postgresUrl, type TestDatabase } from "../support/databases.js";
import { testEnv } from "../support/root-key.js";
import { randomHistory, snapshot } from "./rebuild-history.js";

// kill -9 in the middle of `iamgraph projections rebuild`, then run it again: the result is the
// tables a clean rebuild gives. The CLI runs as its own process on this suite's schema.

const root = fileURLToPath(new URL("../..", import.meta.url));
const account = "123456789012";
const fillerUsers = 15_000;

describe.skipIf(!postgresUrl)("projections rebuild killed with SIGKILL (postgres)", () => {
  let db: TestDatabase;
  let app: Iamgraph;
  let url: string;
  beforeAll(async () => {
    db = await postgres.open();
    app = await startIamgraph(loadConfig(testEnv), { db, migrate: false, logger: pino({ level: "silent" }) });
    await randomHistory(app, 77, 200);
    // A long log, so the kill lands mid-way: each filler user is created and then tagged.
    await db.sql.exec(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       SELECT 'user-F' || g, v, CASE v WHEN 1 THEN 'UserCreated' ELSE 'UserTagged' END, 1,
              CASE v WHEN 1 THEN jsonb_build_object('userId', 'F' || g, 'userName', 'f' || g, 'path', '/', 'arn', 'arn:aws:iam::${account}:user/f' || g, 'tags', '[]'::jsonb)
                     ELSE jsonb_build_object('userId', 'F' || g, 'tags', jsonb_build_array(jsonb_build_object('key', 'n', 'value', g::text))) END,
              '{"accountId":"${account}","actor":"test","requestId":"r","correlationId":"c"}'::jsonb, now()
         FROM generate_series(1, ${fillerUsers}) AS g, generate_series(1, 2) AS v ORDER BY g, v`,
    );
    const [{ live }] = (await db.sql.query<{ live: string }>(`SELECT current_schema() AS live`)) as [{ live: string }];
    const u = new URL(postgresUrl!);
    u.searchParams.set("schema", live);
    url = u.toString();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  /** Runs the CLI; with `killAt`, SIGKILLs it at the first progress line of that phase past 0. */
  function cli(args: string[], killAt?: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      // `node --import tsx`, not the tsx binary: that one runs the CLI in a child process, which
      // a SIGKILL of the parent would leave running.
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = killAt ? new RegExp(`^rebuild ${killAt} (\\d+)/(\\d+)`, "m").exec(stderr) : null;
        if (m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2])) child.kill("SIGKILL");
      });
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  it.each(["replay", "write"])(
    "after SIGKILL during %s, a rerun ends with the tables of a clean rebuild, and the live tables were never touched",
    async (phase) => {
      const live = await snapshot(db.sql);
      const killed = await cli(["projections", "rebuild"], phase);
      expect(killed.signal, killed.stderr).toBe("SIGKILL");
      expect(await snapshot(db.sql)).toEqual(live);
      const status = await cli(["projections", "status"]);
      expect(status.stdout).toMatch(new RegExp(`users .*ABANDONED at ${phase}`));

      const rerun = await cli(["projections", "rebuild"]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/rebuilt users, groups, .* from \d+ events/);
      const afterRerun = await snapshot(db.sql);
      expect(afterRerun.users!.length).toBeGreaterThan(fillerUsers);
      expect((await cli(["projections", "status"])).stdout).not.toMatch(/ABANDONED|RUNNING/);

      await rebuildProjections(db); // clean: nothing staged, in-process
      expect(afterRerun).toEqual(await snapshot(db.sql));
    },
    240_000,
  );
});

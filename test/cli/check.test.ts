import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// `iamgraph check`: what a CI pipeline runs before a policy change ships. It needs no server
// and no store (run from an empty directory, with no DATABASE_URL), prints the answer, and
// its exit status is the verdict: 0 PASS, 1 FAIL, 2 bad input.

const repo = fileURLToPath(new URL("../..", import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-check-"));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", pathToFileURL(path.join(repo, "node_modules/tsx/dist/loader.mjs")).href, path.join(repo, "src/cli/main.ts"), "check", ...args], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: "", KAFKA_BROKERS: "", IAMGRAPH_DATA_DIR: path.join(dir, "no-store-here") },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const file = (name: string, statements: unknown[]) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify({ Version: "2012-10-17", Statement: statements }));
  return p;
};
const readS3 = file("read.json", [{ Sid: "Read", Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::b/*" }]);
const allS3 = file("all.json", [{ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }]);
const broken = path.join(dir, "broken.json");
fs.writeFileSync(broken, '{"Version": "2012-10-17", "Statement": [');

describe("iamgraph check", { timeout: 120_000 }, () => {
  it("no-new-access: FAIL exits 1 and names the statement, action and resource", async () => {
    const r = await run(["no-new-access", allS3, readS3]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}The modified permissions grant new access compared to your existing policy\.\n/);
    expect(r.stdout).toContain("The statement at index 0 (Sid All) allows s3:");
    expect(r.stdout).toContain("arn:aws:s3:::b/");
    expect(fs.existsSync(path.join(dir, "no-store-here"))).toBe(false);
  });

  it("no-new-access: PASS exits 0; --json prints AWS's response shape", async () => {
    const r = await run(["no-new-access", readS3, allS3, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: "PASS", message: "The modified permissions do not grant new access compared to your existing policy.", reasons: [] });
  });

  it("access-not-granted: a listed action exits 1, with reasons in JSON", async () => {
    const r = await run(["access-not-granted", allS3, "--actions", "s3:DeleteObject,s3:PutObject", "--resources", "arn:aws:s3:::b/secret", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const body = JSON.parse(r.stdout) as { result: string; reasons: { statementIndex: number; statementId: string; action: string; resource: string }[] };
    expect(body.result).toBe("FAIL");
    expect(body.reasons[0]).toMatchObject({ statementIndex: 0, statementId: "All", resource: "arn:aws:s3:::b/secret" });
    expect(["s3:DeleteObject", "s3:PutObject"]).toContain(body.reasons[0]?.action);
  });

  it("--policy-type RESOURCE_POLICY compares bucket policies and names the principal; a bad type exits 2", async () => {
    const bucket = (name: string, principal: unknown) => file(name, [{ Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }]);
    const publicRead = bucket("public.json", "*");
    const accountRead = bucket("account.json", { AWS: "111122223333" });
    const r = await run(["no-new-access", publicRead, accountRead, "--policy-type", "RESOURCE_POLICY"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("allows s3:GetObject on arn:aws:s3:::b/");
    expect(r.stdout).toContain(" to a principal of an account no policy names");
    const back = await run(["no-new-access", accountRead, publicRead, "--policy-type", "RESOURCE_POLICY"]);
    expect(back.code, back.stderr).toBe(0);
    const bad = await run(["no-new-access", publicRead, accountRead, "--policy-type", "SCP"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--policy-type is IDENTITY_POLICY or RESOURCE_POLICY");
  });

  it("access-not-granted: not granted exits 0", async () => {
    const r = await run(["access-not-granted", readS3, "--actions", "s3:PutObject"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("PASS  The policy document does not grant access to perform the listed actions or resources.\n");
  });

  it.each([
    ["a policy that is not JSON", ["no-new-access", broken, readS3], "MalformedPolicyDocument: newPolicyDocument:"],
    ["a file that does not exist", ["no-new-access", path.join(dir, "missing.json"), readS3], "cannot read"],
    ["one file for no-new-access", ["no-new-access", readS3], "give NEW.json and EXISTING.json"],
    ["no access listed", ["access-not-granted", readS3], "ValidationError: access: list at least one action or resource."],
    ["an unknown check", ["no-such-check", readS3], "unknown check"],
    ["an unknown option", ["no-new-access", readS3, allS3, "--verbose"], "Unknown option"],
  ])("bad input (%s) exits 2 with a typed message", async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // one line to act on, no stack
  });
});

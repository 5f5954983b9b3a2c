import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { CreateAccessKeyCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { masterKeyFileName, parseMasterKey, resolveMasterKey } from "../../src/auth/master-key.js";
import { SecretBox } from "../../src/auth/secret-box.js";
import { awsError, signedFetch } from "./signing.js";
import { startAwsServer, type AwsServer } from "./support.js";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { postgresUrl } from "../support/databases.js";
import { testEnv } from "../support/root-key.js";

describe("SecretBox (AES-256-GCM under the master key)", () => {
  const box = new SecretBox(randomBytes(32));
  test("opens what it sealed, for the key id it was sealed for only", () => {
    const sealed = box.seal("s3cret/+=", "AKIAONE");
    expect(sealed).not.toContain("s3cret");
    expect(box.open(sealed, "AKIAONE")).toBe("s3cret/+=");
    expect(() => box.open(sealed, "AKIATWO")).toThrow();
    expect(box.seal("s3cret/+=", "AKIAONE")).not.toBe(sealed); // a fresh nonce each time
  });
  test("a changed byte or another master key does not open", () => {
    const sealed = box.seal("secret", "AKIAONE");
    const parts = sealed.split("$");
    const body = Buffer.from(parts[3]!, "base64");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64");
    expect(() => box.open(parts.join("$"), "AKIAONE")).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, "AKIAONE")).toThrow(/another master key/);
  });
});

describe("where the master key comes from", () => {
  test("postgres mode refuses to start without IAMGRAPH_MASTER_KEY", () => {
    expect(() => resolveMasterKey({ configured: undefined, kind: "postgres", dataDir: undefined })).toThrow(/IAMGRAPH_MASTER_KEY is not set/);
  });
  test.skipIf(!postgresUrl)("`iamgraph serve` with PostgreSQL and no IAMGRAPH_MASTER_KEY exits with the reason, before touching the store", async () => {
    const { IAMGRAPH_MASTER_KEY: _omitted, ...env } = { ...process.env, ...testEnv, DATABASE_URL: postgresUrl!, KAFKA_BROKERS: "", PORT: "0", LOG_LEVEL: "silent" };
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve"], { cwd: root, env, timeout: 60_000 }, (_err, stdout, stderr) => resolve({ code: child.exitCode, output: stdout + stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("IAMGRAPH_MASTER_KEY is not set");
  }, 90_000);
  test("a malformed key is refused at configuration", () => {
    expect(() => parseMasterKey("short")).toThrow(/32 bytes/);
    expect(parseMasterKey("00".repeat(32))).toHaveLength(32);
  });
  test("embedded: a key file made once with mode 0600, the same key on the next start", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-mk-"));
    try {
      const first = resolveMasterKey({ configured: undefined, kind: "embedded", dataDir: dir });
      const file = path.join(dir, masterKeyFileName);
      expect(first.source).toBe("key-file");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const second = resolveMasterKey({ configured: undefined, kind: "embedded", dataDir: dir });
      expect(second.box.open(first.box.seal("x", "AKIA1"), "AKIA1")).toBe("x");
      fs.chmodSync(file, 0o644);
      expect(() => resolveMasterKey({ configured: undefined, kind: "embedded", dataDir: dir })).toThrow(/readable by others/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("stored keys", () => {
  let s: AwsServer;
  beforeAll(async () => {
    s = await startAwsServer();
  }, 60_000);
  afterAll(async () => s?.close());

  test("a new key's secret is sealed beside its hash, and appears in no event", async () => {
    await s.iam().send(new CreateUserCommand({ UserName: "carol" }));
    const key = (await s.iam().send(new CreateAccessKeyCommand({ UserName: "carol" }))).AccessKey!;
    const row = await s.live.app.db.prisma.accessKeyCredential.findUnique({ where: { accessKeyId: key.AccessKeyId! } });
    expect(row!.sealedSecret).toMatch(/^aes256gcm\$/);
    expect(row!.sealedSecret).not.toContain(key.SecretAccessKey!);
    const log = await s.live.app.db.prisma.event.findMany();
    expect(JSON.stringify(log, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(key.SecretAccessKey!);
    // carol holds no policy; who she is needs none (STS GetCallerIdentity), and her signature verifies.
    const me = await s.sts({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:iam::123456789012:user/carol");
  });

  test("a key from before sealing (hash only) keeps Basic, and SigV4 says to rotate it", async () => {
    await s.iam().send(new CreateUserCommand({ UserName: "dave" }));
    const key = (await s.iam().send(new CreateAccessKeyCommand({ UserName: "dave" }))).AccessKey!;
    await s.live.app.db.prisma.accessKeyCredential.update({ where: { accessKeyId: key.AccessKeyId! }, data: { sealedSecret: null } });
    const creds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const basic = await s.live.request(`{ callerIdentity { arn } }`, undefined, { headers: { authorization: basicAuthorization(creds.accessKeyId, creds.secretAccessKey) } });
    expect(basic.data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:user/dave");
    const refused = await awsError(await signedFetch(s.endpoint, creds, { body: "Action=GetUser&Version=2010-05-08" }));
    expect(refused).toMatchObject({ status: 403, code: "InvalidClientTokenId" });
    expect(refused.message).toContain(`access key ${creds.accessKeyId} predates stored signing secrets`);
    expect(await s.live.app.credentials.hashOnlyKeys()).toEqual([creds.accessKeyId]);
    // Reported where keys are listed: GraphQL's accessKeys says which can sign.
    const listed = await s.live.request(`{ dave: accessKeys(userName: "dave") { accessKeyId canSign canAuthenticate } carol: accessKeys(userName: "carol") { canSign } }`);
    expect(listed.data).toEqual({ dave: [{ accessKeyId: creds.accessKeyId, canSign: false, canAuthenticate: true }], carol: [{ canSign: true }] });
  });
});

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testRootKey } from "../support/root-key.js";
import { startAwsServer, type AwsServer } from "./support.js";

// The AWS CLI and boto3 (Debian's awscli and python3-boto3, installed by .ci/run), unchanged,
// pointed at a real iamgraph server with only an endpoint URL and a key iamgraph issued.

const run = promisify(execFile);
const script = fileURLToPath(new URL("./boto3-walkthrough.py", import.meta.url));

async function works(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args, { timeout: 30_000 }).then(() => true, () => false);
}
const awsCli = (await works("aws", ["--version"])) ? "aws" : undefined;
const python = (await works("python3", ["-c", "import boto3"])) ? "python3" : (await works("/usr/bin/python3", ["-c", "import boto3"])) ? "/usr/bin/python3" : undefined;

for (const [what, present] of [["the AWS CLI (`aws`)", awsCli], ["python3 with boto3", python]] as const) {
  if (present) continue;
  if (process.env.CI === "true") throw new Error(`${what} is required in CI (.ci/run installs awscli and python3-boto3)`);
  console.warn(`\n!!! ${what} is not installed: its tests are SKIPPED (apt-get install -y awscli python3-boto3)\n`);
}

let s: AwsServer;
beforeAll(async () => {
  if (awsCli || python) s = await startAwsServer();
}, 60_000);
afterAll(async () => s?.close());

const env = (key: { accessKeyId: string; secretAccessKey: string } = testRootKey) => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "/tmp",
  AWS_ACCESS_KEY_ID: key.accessKeyId,
  AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_PAGER: "",
  AWS_MAX_ATTEMPTS: "1",
  IAMGRAPH_ENDPOINT: s.endpoint,
});

describe.skipIf(!awsCli)("the AWS CLI", () => {
  const aws = async (args: string[], key?: { accessKeyId: string; secretAccessKey: string }) => {
    const { stdout } = await run("aws", ["--endpoint-url", s.endpoint, "--output", "json", ...args], { env: env(key), timeout: 60_000 });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };

  test("create-user, list-users, put-user-policy, simulate-principal-policy, sts get-caller-identity", async () => {
    const created = await aws(["iam", "create-user", "--user-name", "cli-user", "--tags", "Key=team,Value=cli"]);
    expect(created.User).toMatchObject({ UserName: "cli-user", Arn: "arn:aws:iam::123456789012:user/cli-user", Path: "/" });
    const listed = await aws(["iam", "list-users"]);
    expect(listed.Users.map((u: any) => u.UserName)).toContain("cli-user");
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:GetUser", Resource: "*" }] });
    await aws(["iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "read", "--policy-document", policy]);
    const got = await aws(["iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "read"]);
    // The CLI decodes the URL-encoded document AWS returns, as it does against AWS.
    expect(got.PolicyDocument).toEqual(JSON.parse(policy));
    const simulated = await aws(["iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::123456789012:user/cli-user", "--action-names", "iam:GetUser", "iam:DeleteUser"]);
    expect(simulated.EvaluationResults.map((r: any) => [r.EvalActionName, r.EvalDecision])).toEqual([["iam:GetUser", "allowed"], ["iam:DeleteUser", "implicitDeny"]]);
    const key = (await aws(["iam", "create-access-key", "--user-name", "cli-user"])).AccessKey;
    const who = await aws(["sts", "get-caller-identity"], { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    expect(who).toMatchObject({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/cli-user" });
  }, 120_000);

  test("tag-role, list-role-tags, untag-role; create-role with a boundary; get-context-keys-for-custom-policy", async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const boundary = await aws(["iam", "create-policy", "--policy-name", "cli-fence", "--policy-document", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] })]);
    const role = await aws(["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", trust, "--permissions-boundary", boundary.Policy.Arn]);
    expect(role.Role.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: boundary.Policy.Arn });
    expect(await aws(["iam", "tag-role", "--role-name", "cli-role", "--tags", "Key=env,Value=prod", "Key=team,Value=cli"])).toEqual({});
    expect((await aws(["iam", "list-role-tags", "--role-name", "cli-role"])).Tags).toEqual([{ Key: "env", Value: "prod" }, { Key: "team", Value: "cli" }]);
    await aws(["iam", "untag-role", "--role-name", "cli-role", "--tag-keys", "ENV"]);
    expect((await aws(["iam", "list-role-tags", "--role-name", "cli-role"])).Tags).toEqual([{ Key: "team", Value: "cli" }]);
    expect((await aws(["iam", "get-role", "--role-name", "cli-role"])).Role.Tags).toEqual([{ Key: "team", Value: "cli" }]);
    const keys = await aws(["iam", "get-context-keys-for-custom-policy", "--policy-input-list", JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::${aws:username}", Condition: { Bool: { "aws:SecureTransport": "true" } } } })]);
    expect(keys.ContextKeyNames).toEqual(["aws:username", "aws:SecureTransport"]);
  }, 120_000);

  test("a refusal is the CLI's own error output with AWS's code", async () => {
    const failed = await run("aws", ["--endpoint-url", s.endpoint, "iam", "get-user", "--user-name", "cli-nobody"], { env: env(), timeout: 60_000 }).catch((e: { stderr: string; code: number }) => e);
    expect((failed as { code: number }).code).not.toBe(0);
    // CLI v2 adds "(reached max retries: 0)" before the colon; v1 does not.
    expect((failed as { stderr: string }).stderr).toMatch(/An error occurred \(NoSuchEntity\) when calling the GetUser operation( \(reached max retries: \d+\))?: The user with name cli-nobody cannot be found\./);
  }, 60_000);
});

describe.skipIf(!python)("boto3", () => {
  test("the walkthrough script", async () => {
    const { stdout } = await run(python!, [script], { env: env(), timeout: 120_000 });
    const seen = JSON.parse(stdout);
    expect(seen).toMatchObject({
      userArn: "arn:aws:iam::123456789012:user/py-alice",
      callerArn: "arn:aws:iam::123456789012:user/py-alice",
      missing: "NoSuchEntity",
      denied: { code: "AccessDenied", status: 403, message: "User: arn:aws:iam::123456789012:user/py-nobody is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action" },
    });
    expect(seen.listed).toContain("py-alice");
    expect(seen.createDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  }, 120_000);
});

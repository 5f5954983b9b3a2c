import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { headPosition } from "../../src/eventstore/read.js";
import { accountAuthorizationDetailsAt } from "../../src/snapshot/export-details.js";
import { SnapshotRejected } from "../../src/snapshot/snapshot-rejected.js";
import { backends } from "../support/databases.js";
import { comparable, detailsSelection, fixtureAccount, pascalCase, readSmallAccount, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// Issue 15 item 5, second half: an account whose AWS quotas were raised. The small account with a
// role holding 12 managed policies (AWS raises that quota to 25), alice in 11 groups and a policy
// with 6 versions (quotas AWS does not raise; a file can still say so). By default each is
// imported with the quota noted in the event that went past it; the state, GraphQL and export
// show it as imported; ordinary mutations afterwards still hold iamgraph's quotas. With
// overQuota: refuse the file is refused whole, each element named.

const arn = (kind: string, name: string) => `arn:aws:iam::${fixtureAccount}:${kind}/${name}`;
const day = (n: number) => new Date(`2024-06-0${n}T00:00:00Z`);
const doc = (action: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const version = (n: number, isDefault: boolean) => ({ Document: doc(`s3:Action${n}`), VersionId: `v${n}`, IsDefaultVersion: isDefault, CreateDate: `2023-02-0${n}T00:00:00+00:00` });

function overQuotaAccount(): any {
  const f = JSON.parse(readSmallAccount());
  for (let i = 0; i < 12; i++) {
    f.Policies.push({
      PolicyName: `extra${i}`, PolicyId: `ANPAQ3EGRQ3EXTRA${String(i).padStart(5, "0")}`, Arn: arn("policy", `extra${i}`), Path: "/", DefaultVersionId: "v1", CreateDate: "2023-02-01T00:00:00+00:00",
      PolicyVersionList: [version(1, true)],
    });
  }
  f.Policies.push({
    PolicyName: "six-versions", PolicyId: "ANPAQ3EGRQ3SIXVERSION", Arn: arn("policy", "six-versions"), Path: "/", DefaultVersionId: "v6", CreateDate: "2023-02-01T00:00:00+00:00",
    PolicyVersionList: [1, 2, 3, 4, 5, 6].map((n) => version(n, n === 6)),
  });
  const role = f.RoleDetailList[0];
  for (let i = 0; i < 11; i++) role.AttachedManagedPolicies.push({ PolicyName: `extra${i}`, PolicyArn: arn("policy", `extra${i}`) });
  for (let i = 0; i < 10; i++) {
    f.GroupDetailList.push({ Path: "/", GroupName: `team${i}`, GroupId: `AGPAQ3EGRQ3TEAM${String(i).padStart(6, "0")}`, Arn: arn("group", `team${i}`), CreateDate: "2023-01-20T00:00:00+00:00", GroupPolicyList: [], AttachedManagedPolicies: [] });
    f.UserDetailList[0].GroupList.push(`team${i}`);
  }
  return f;
}

describe.each(backends)("import aws of an account past iamgraph's quotas on $name", (backend) => {
  let t: SnapshotApp;
  beforeAll(async () => {
    t = await startSnapshotApp(backend);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
  });
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  const noted = async (type: string) => {
    const { events } = await gql(`query($types: [String!]) { events(filter: { types: $types }, first: 1000) { edges { node { payload } } } }`, { types: [type] });
    return events.edges.map((e: any) => e.node.payload).filter((p: any) => p.quotaExceeded);
  };

  it("by default: reported by element, imported, the quota noted in the event that went past it", async () => {
    const file = overQuotaAccount();
    const report = await t.importText(JSON.stringify(file), { asOf: day(1) });
    expect(report.applied).toBe(true);
    const sixVersions = file.Policies.findIndex((p: any) => p.PolicyName === "six-versions");
    expect(report.overQuota.map((q) => [q.path, q.quota, q.awsDefault, q.found, q.raisable])).toEqual([
      [`$.Policies[${sixVersions}].PolicyVersionList`, "VersionsPerPolicyQuota", 5, 6, false],
      ["$.UserDetailList[0].GroupList", "GroupsPerUserQuota", 10, 11, false],
      ["$.RoleDetailList[0].AttachedManagedPolicies", "AttachedPoliciesPerRoleQuota", 10, 12, true],
    ]);
    // The events that went past a quota say so; no other event does.
    expect((await noted("ManagedPolicyAttached")).map((p: any) => [p.entityName, p.policyName, p.quotaExceeded])).toEqual([
      ["lambda-exec", "extra9", [{ quota: "AttachedPoliciesPerRoleQuota", limit: 10, value: 11 }]],
      ["lambda-exec", "extra10", [{ quota: "AttachedPoliciesPerRoleQuota", limit: 10, value: 12 }]],
    ]);
    expect((await noted("UserAddedToGroup")).map((p: any) => [p.userName, p.quotaExceeded])).toEqual([["alice", [{ quota: "GroupsPerUserQuota", limit: 10, value: 11 }]]]);
    expect((await noted("PolicyVersionCreated")).map((p: any) => [p.versionId, p.quotaExceeded])).toEqual([["v6", [{ quota: "VersionsPerPolicyQuota", limit: 5, value: 6 }]]]);
    // GraphQL and the export show the account as the file has it.
    const r = await gql(`{ accountAuthorizationDetails { ${detailsSelection} } }`);
    expect(comparable(pascalCase(r.accountAuthorizationDetails))).toEqual(comparable(file));
    expect(comparable(await accountAuthorizationDetailsAt(t.db.prisma, fixtureAccount, await headPosition(t.db.prisma)))).toEqual(comparable(file));
    // The same file again appends nothing.
    expect((await t.importText(JSON.stringify(file), { asOf: day(1) })).commands).toBe(0);
  });

  it("later ordinary mutations still hold iamgraph's quotas on what was imported past them; what stays within them works", async () => {
    await t.importText(JSON.stringify(overQuotaAccount()), { asOf: day(1) });
    const before = await t.eventCount();
    const refused = await gql(`mutation {
      a: attachRolePolicy(roleName: "lambda-exec", policyArn: "${arn("policy", "extra11")}") { __typename ... on IamError { code message } }
      b: addUserToGroup(userName: "alice", groupName: "admins") { __typename ... on IamError { code message } }
      c: createPolicyVersion(policyArn: "${arn("policy", "six-versions")}", policyDocument: ${JSON.stringify(JSON.stringify(doc("s3:Action7")))}) { __typename ... on IamError { code message } }
    }`);
    expect([refused.a.code, refused.b.code, refused.c.code]).toEqual(["LimitExceeded", "LimitExceeded", "LimitExceeded"]);
    expect(await t.eventCount()).toBe(before);
    const detached = await gql(`mutation { detachRolePolicy(roleName: "lambda-exec", policyArn: "${arn("policy", "extra0")}") { __typename ... on IamError { code message } } }`);
    expect(detached.detachRolePolicy.__typename).not.toBe("IamError");
  });

  it("a later snapshot past a quota again (one attachment swapped) imports, the new attachment noted", async () => {
    const d1 = overQuotaAccount();
    await t.importText(JSON.stringify(d1), { asOf: day(1) });
    const d2 = structuredClone(d1);
    const role = d2.RoleDetailList[0];
    role.AttachedManagedPolicies = role.AttachedManagedPolicies.filter((a: any) => a.PolicyName !== "extra3");
    role.AttachedManagedPolicies.push({ PolicyName: "extra11", PolicyArn: arn("policy", "extra11") });
    const report = await t.importText(JSON.stringify(d2), { asOf: day(2) });
    expect(report.eventCounts).toEqual({ ManagedPolicyDetached: 1, ManagedPolicyAttached: 1 });
    expect((await noted("ManagedPolicyAttached")).at(-1)).toMatchObject({ policyName: "extra11", quotaExceeded: [{ quota: "AttachedPoliciesPerRoleQuota", limit: 10, value: 12 }] });
  });

  it("a dry run reports the same and writes nothing", async () => {
    const dry = await t.importText(JSON.stringify(overQuotaAccount()), { asOf: day(1), dryRun: true });
    expect([dry.applied, dry.overQuota.length]).toEqual([false, 3]);
    expect(await t.eventCount()).toBe(0);
    const real = await t.importText(JSON.stringify(overQuotaAccount()), { asOf: day(1) });
    expect([real.eventCounts, real.overQuota]).toEqual([dry.eventCounts, dry.overQuota]);
  });

  it("with overQuota: refuse, the file is refused whole, every element named, nothing written", async () => {
    const refusal = await t.importText(JSON.stringify(overQuotaAccount()), { asOf: day(1), overQuota: "refuse" }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(SnapshotRejected);
    expect((refusal as SnapshotRejected).code).toBe("LimitExceeded");
    expect((refusal as SnapshotRejected).problems.map((p) => p.path).sort()).toEqual(
      ["$.Policies[16].PolicyVersionList", "$.UserDetailList[0].GroupList", "$.RoleDetailList[0].AttachedManagedPolicies"].sort(),
    );
    expect(await t.eventCount()).toBe(0);
  });

  it("over GraphQL: overQuota is an argument and the report lists each element", async () => {
    const m = `mutation($s: String!, $mode: OverQuotaMode) { importAccountSnapshot(snapshot: $s, asOf: "2024-06-01T00:00:00Z", overQuota: $mode) {
      __typename ... on AccountSnapshotImport { applied overQuota { path quota awsDefault found raisable } } ... on IamError { code message } } }`;
    const refused = await gql(m, { s: JSON.stringify(overQuotaAccount()), mode: "refuse" });
    expect(refused.importAccountSnapshot).toMatchObject({ __typename: "IamError", code: "LimitExceeded" });
    expect(refused.importAccountSnapshot.message).toContain("$.RoleDetailList[0].AttachedManagedPolicies: 12 attached policies; iamgraph's quota AttachedPoliciesPerRoleQuota is 10");
    expect(await t.eventCount()).toBe(0);
    const imported = await gql(m, { s: JSON.stringify(overQuotaAccount()) });
    expect(imported.importAccountSnapshot.applied).toBe(true);
    expect(imported.importAccountSnapshot.overQuota).toContainEqual({ path: "$.RoleDetailList[0].AttachedManagedPolicies", quota: "AttachedPoliciesPerRoleQuota", awsDefault: 10, found: 12, raisable: true });
  });
});

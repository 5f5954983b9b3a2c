import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { headPosition } from "../../src/eventstore/read.js";
import { accountAuthorizationDetailsAt } from "../../src/snapshot/export-details.js";
import { backends } from "../support/databases.js";
import { comparable, detailsSelection, fixtureAccount, pascalCase, readSmallAccount, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// Issue 15: a get-account-authorization-details file into an empty store keeps AWS's ids, ARNs,
// paths and dates; the GraphQL state is the file's; importing it again appends nothing; the
// export gives the file back.

const asOf = new Date("2024-06-01T00:00:00Z");

describe.each(backends)("import aws of the small account on $name", (backend) => {
  let t: SnapshotApp;
  beforeAll(async () => {
    t = await startSnapshotApp(backend);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
  });

  it("appends the events that give the file's state, with AWS's ids, ARNs, paths and create dates, through the GraphQL API", async () => {
    const report = await t.importText(readSmallAccount(), { asOf, source: "small-account.json" });
    expect(report.applied).toBe(true);
    expect(report.eventCounts).toMatchObject({ UserCreated: 2, GroupCreated: 2, RoleCreated: 1, PolicyCreated: 2, PolicyVersionCreated: 1, UserAddedToGroup: 3 });
    expect(report.unknownAwsPolicies).toEqual([]);
    // The GraphQL accountAuthorizationDetails (AWS's structure, camelCase) says what the file says.
    const r = await t.client.request(`{ accountAuthorizationDetails { ${detailsSelection} } }`);
    expect(r.errors).toBeUndefined();
    expect(comparable(pascalCase(r.data.accountAuthorizationDetails))).toEqual(comparable(JSON.parse(readSmallAccount())));
    const one = await t.client.request(`{ user(userName: "alice") { userId createDate } policy(arn: "arn:aws:iam::${fixtureAccount}:policy/deploy") { policyId defaultVersionId } }`);
    expect(one.data.user).toEqual({ userId: "AIDAQ3EGRQ3ALICE00001", createDate: "2023-03-01T09:00:00.000Z" });
    expect(one.data.policy).toEqual({ policyId: "ANPAQ3EGRQ3DEPLOY0001", defaultVersionId: "v3" });
    // Every event: the snapshot's time, the import's actor, one correlation id.
    const events = await t.db.prisma.event.findMany();
    expect(new Set(events.map((e) => e.occurredAt.toISOString()))).toEqual(new Set([asOf.toISOString()]));
    expect(new Set(events.map((e) => (e.metadata as any).actor))).toEqual(new Set(["import:small-account.json"]));
    expect(new Set(events.map((e) => (e.metadata as any).correlationId))).toEqual(new Set([report.correlationId]));
  });

  it("and what the account's principals may do is answered: alice reads reports, bob administers through admins", async () => {
    await t.importText(readSmallAccount(), { asOf });
    const r = await t.client.request(`{
      a: authorize(principalArn: "arn:aws:iam::${fixtureAccount}:user/alice", action: "s3:GetObject", resource: "arn:aws:s3:::reports/q1.csv") { ...D }
      b: authorize(principalArn: "arn:aws:iam::${fixtureAccount}:user/alice", action: "iam:CreateUser", resource: "*") { ...D }
      c: authorize(principalArn: "arn:aws:iam::${fixtureAccount}:user/ops/bob", action: "iam:CreateUser", resource: "*") { ...D }
    }
    fragment D on AuthorizeResult { ... on AuthorizationDecision { decision } ... on IamError { code message }
    }`);
    expect(r.errors).toBeUndefined();
    expect([r.data.a.decision, r.data.b.decision, r.data.c.decision]).toEqual(["allowed", "implicitDeny", "allowed"]);
  });

  it("the same snapshot twice appends nothing", async () => {
    await t.importText(readSmallAccount(), { asOf });
    const head = await headPosition(t.db.prisma);
    const again = await t.importText(readSmallAccount(), { asOf });
    expect([again.commands, again.eventCounts, await headPosition(t.db.prisma)]).toEqual([0, {}, head]);
    const later = await t.importText(readSmallAccount(), { asOf: new Date("2024-06-02T00:00:00Z") });
    expect([later.commands, await headPosition(t.db.prisma)]).toEqual([0, head]);
  });

  it("import → export equals the file, modulo ordering and the fields AWS computes", async () => {
    await t.importText(readSmallAccount(), { asOf });
    const exported = await accountAuthorizationDetailsAt(t.db.prisma, fixtureAccount, await headPosition(t.db.prisma));
    expect(comparable(exported)).toEqual(comparable(JSON.parse(readSmallAccount())));
    // The export is itself an importable file that changes nothing.
    const reimport = await t.importText(JSON.stringify(exported), { asOf });
    expect(reimport.commands).toBe(0);
  });

  it("a bad later file is refused whole: nothing written, the state is the earlier snapshot's", async () => {
    await t.importText(readSmallAccount(), { asOf });
    const before = await t.eventCount();
    const bad = JSON.parse(readSmallAccount());
    bad.UserDetailList[0].Tags = [{ Key: "team", Value: "risk" }]; // a valid change …
    bad.RoleDetailList[0].RolePolicyList[0].PolicyDocument = "%7B%22Version"; // … and a broken document
    await expect(t.importText(JSON.stringify(bad), { asOf: new Date("2024-06-02T00:00:00Z") })).rejects.toThrow(/\$\.RoleDetailList\[0\]\.RolePolicyList\[0\]\.PolicyDocument/);
    expect(await t.eventCount()).toBe(before);
    expect(await t.db.prisma.userTag.findMany({ select: { key: true, value: true } })).toEqual([{ key: "team", value: "payments" }]);
  });

  it("a command the pipeline refuses mid-import rolls every earlier one back", async () => {
    await t.importText(readSmallAccount(), { asOf });
    // An access key made in iamgraph: AWS's file never lists keys, and DeleteUser refuses a user with one.
    await t.app.commands.handle({ type: "CreateAccessKey", userName: "alice", accessKeyId: "AKIAQ3EGRQ3TESTKEY01" }, { actor: "test", at: new Date("2024-06-02T00:00:00Z") });
    const before = await t.eventCount();
    const gone = JSON.parse(readSmallAccount());
    gone.GroupDetailList[1].GroupPolicyList = []; // applied before the refusal …
    gone.UserDetailList.shift(); // … then DeleteUser alice refuses
    await expect(t.importText(JSON.stringify(gone), { asOf: new Date("2024-06-03T00:00:00Z") })).rejects.toThrow(/access keys/);
    expect(await t.eventCount()).toBe(before);
    expect(await t.db.prisma.inlinePolicy.count()).toBe(3);
  });

  it("a file of another account is refused", async () => {
    const other = readSmallAccount().replaceAll("111122223333", "444455556666");
    await expect(t.importText(other, { asOf })).rejects.toThrow("The snapshot is of account 444455556666; this store is account 111122223333's");
    expect(await t.eventCount()).toBe(0);
  });
});

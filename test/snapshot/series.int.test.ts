import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAwsManagedPolicies } from "../../src/app/seed-aws-managed.js";
import { resolvePoint } from "../../src/history/load.js";
import { accountAuthorizationDetailsAt } from "../../src/snapshot/export-details.js";
import { backends } from "../support/databases.js";
import { comparable, fixtureAccount, readSmallAccount, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// Issue 15 item 2: daily snapshots become history. Three days of the small account; every
// permission change is attributed, by permissionDiff and accessTimeline, to the snapshot that
// brought it (the events' actor is `import:<file>`), and the export at each day gives that day back.

const arn = (kind: string, name: string) => `arn:aws:iam::${fixtureAccount}:${kind}/${name}`;
const day = (n: number) => new Date(`2024-06-0${n}T00:00:00Z`);
const statement = (...actions: string[]) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

/** The small account on days 1, 2 and 3. */
function days(): string[] {
  const d1 = JSON.parse(readSmallAccount());
  const d2 = structuredClone(d1);
  const [alice2, bob2] = d2.UserDetailList;
  alice2.GroupList = []; // leaves developers: no more ec2:Describe*
  alice2.UserPolicyList[0].PolicyDocument = statement("s3:GetObject", "s3:PutObject"); // gains s3:PutObject
  alice2.Tags = [{ Key: "team", Value: "risk" }, { Key: "cost-center", Value: "42" }];
  Object.assign(bob2, { UserName: "robert", Arn: arn("user", "ops/robert") }); // same id: a rename
  d2.RoleDetailList[0].Tags = [{ Key: "team", Value: "payments" }]; // owner=platform gone, team added
  const deploy2 = d2.Policies[0];
  deploy2.PolicyVersionList = [
    deploy2.PolicyVersionList[0],
    { Document: statement("lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:DeleteFunction"), VersionId: "v4", IsDefaultVersion: true, CreateDate: "2024-06-01T18:00:00+00:00" },
  ];
  deploy2.PolicyVersionList[0].IsDefaultVersion = false;
  deploy2.DefaultVersionId = "v4";
  const d3 = structuredClone(d2);
  const alice3 = d3.UserDetailList[0];
  alice3.GroupList = ["admins"];
  delete alice3.PermissionsBoundary; // with the boundary gone, admins' AdministratorAccess applies
  d3.Policies = d3.Policies.filter((p: any) => p.PolicyName !== "dev-boundary");
  d3.RoleDetailList = [];
  d3.UserDetailList.push({
    Path: "/", UserName: "carol", UserId: "AIDAQ3EGRQ3CAROL00003", Arn: arn("user", "carol"), CreateDate: "2024-06-02T11:00:00+00:00",
    UserPolicyList: [], GroupList: ["developers"], AttachedManagedPolicies: [], Tags: [],
  });
  return [d1, d2, d3].map((d) => JSON.stringify(d, null, 4));
}

describe.each(backends)("a series of three daily snapshots on $name", (backend) => {
  let t: SnapshotApp;
  let files: string[];
  const reports: Awaited<ReturnType<SnapshotApp["importText"]>>[] = [];
  const gql = async (query: string) => {
    const r = await t.client.request(query);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  beforeAll(async () => {
    t = await startSnapshotApp(backend);
    await seedAwsManagedPolicies(t.db.prisma);
    files = days();
    for (const [i, text] of files.entries()) reports.push(await t.importText(text, { asOf: day(i + 1), source: `day${i + 1}.json` }));
  });
  afterAll(() => t.close());

  it("each later import appends only the day's differences", () => {
    expect(reports[1]!.eventCounts).toEqual({
      UserRemovedFromGroup: 1, UserUpdated: 1, PolicyVersionDeleted: 1, PolicyVersionCreated: 1, PolicyDefaultVersionSet: 1, InlinePolicyPut: 1, UserTagged: 1,
      RoleUntagged: 1, RoleTagged: 1,
    });
    expect(reports[2]!.eventCounts).toEqual({
      PermissionsBoundaryDeleted: 1, ManagedPolicyDetached: 1, InlinePolicyDeleted: 1, RoleDeleted: 1, UserCreated: 1, UserAddedToGroup: 2, PolicyDeleted: 1,
    });
    expect(reports[1]!.entitiesTouched).toEqual([arn("policy", "deploy"), arn("role", "service-role/lambda-exec"), arn("user", "alice"), arn("user", "ops/robert")].sort());
  });

  it("a rename keeps the user: robert has bob's id", async () => {
    const { user } = await gql(`{ user(userName: "robert") { userId arn } }`);
    expect(user).toEqual({ userId: "AIDAQ3EGRQ3BOB0000002", arn: arn("user", "ops/robert") });
  });

  it("accessTimeline names the snapshot that opened and closed each interval", async () => {
    const timeline = (action: string, resource = "*") =>
      gql(`{ accessTimeline(principalArn: "${arn("user", "alice")}", action: "${action}", resource: "${resource}") { openedBy { metadata { actor } occurredAt } closedBy { metadata { actor } } } }`);
    const by = (r: any) => r.accessTimeline.map((i: any) => [i.openedBy.metadata.actor, i.closedBy?.metadata.actor ?? null]);
    // Lost with developers on day 2, back through admins (boundary gone) on day 3.
    expect(by(await timeline("ec2:DescribeInstances"))).toEqual([["import:day1.json", "import:day2.json"], ["import:day3.json", null]]);
    expect(by(await timeline("s3:PutObject", "arn:aws:s3:::reports/q2.csv"))).toEqual([["import:day2.json", null]]);
    expect(by(await timeline("iam:CreateUser"))).toEqual([["import:day3.json", null]]);
  });

  it("permissionDiff across the three days flips what changed and names the snapshot that changed it", async () => {
    const { permissionDiff } = await gql(`{ permissionDiff(principalArn: "${arn("user", "alice")}", from: { timestamp: "${day(1).toISOString()}" }, to: { timestamp: "${day(3).toISOString()}" },
      actions: ["ec2:DescribeInstances", "s3:PutObject", "iam:CreateUser", "s3:GetObject"]) {
        decisions { action before after flipped }
        changes { change path cause { metadata { actor } } }
    } }`);
    const flips = Object.fromEntries(permissionDiff.decisions.map((d: any) => [d.action, [d.before, d.after]]));
    expect(flips).toEqual({
      "ec2:DescribeInstances": ["allowed", "allowed"], // lost on day 2, back on day 3
      "s3:PutObject": ["implicitDeny", "allowed"],
      "iam:CreateUser": ["implicitDeny", "allowed"],
      "s3:GetObject": ["implicitDeny", "allowed"], // on "*": day 1's inline policy covers reports/* only
    });
    const causes = new Set(permissionDiff.changes.map((c: any) => c.cause.metadata.actor));
    expect(causes).toEqual(new Set(["import:day2.json", "import:day3.json"]));
  });

  it("the export at each day's time gives that day's snapshot back", async () => {
    for (const [i, text] of files.entries()) {
      const point = await resolvePoint(t.db.prisma, { timestamp: day(i + 1) });
      expect(comparable(await accountAuthorizationDetailsAt(t.db.prisma, fixtureAccount, point.position))).toEqual(comparable(JSON.parse(text)));
    }
  });

  it("a snapshot older than the log's latest is refused, and writes nothing", async () => {
    const before = await t.eventCount();
    await expect(t.importText(files[0]!, { asOf: day(2) })).rejects.toThrow(/before the log's latest event/);
    expect(await t.eventCount()).toBe(before);
  });
});

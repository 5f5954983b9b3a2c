import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupStreamId, userStreamId } from "../../src/domain/shared/stream-ids.js";
import { resolvePoint } from "../../src/history/load.js";
import { accountAuthorizationDetailsAt } from "../../src/snapshot/export-details.js";
import { backends } from "../support/databases.js";
import { comparable, fixtureAccount, readSmallAccount, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// Issue 15: renames between two snapshots that a naive order would trip over. Day 2 swaps the
// names of alice and bob and of the groups admins and developers (same AWS ids); day 3 deletes
// the user now called alice and gives her name to the other. Each import succeeds, each id keeps
// its permissions under its new name, and history shows every rename.

const arn = (kind: string, name: string) => `arn:aws:iam::${fixtureAccount}:${kind}/${name}`;
const day = (n: number) => new Date(`2024-06-0${n}T00:00:00Z`);
const ALICE = "AIDAQ3EGRQ3ALICE00001";
const BOB = "AIDAQ3EGRQ3BOB0000002";

function days(): string[] {
  const d1 = JSON.parse(readSmallAccount());
  const d2 = structuredClone(d1);
  const groupSwap: Record<string, string> = { admins: "developers", developers: "admins" };
  const [alice, bob] = d2.UserDetailList;
  Object.assign(alice, { UserName: "bob", Arn: arn("user", "bob"), GroupList: alice.GroupList.map((g: string) => groupSwap[g]) });
  Object.assign(bob, { UserName: "alice", Arn: arn("user", "ops/alice"), GroupList: bob.GroupList.map((g: string) => groupSwap[g]) });
  for (const g of d2.GroupDetailList) Object.assign(g, { GroupName: groupSwap[g.GroupName], Arn: arn("group", groupSwap[g.GroupName]!) });
  const d3 = structuredClone(d2);
  d3.UserDetailList = d3.UserDetailList.filter((u: any) => u.UserId !== BOB);
  Object.assign(d3.UserDetailList[0], { UserName: "alice", Arn: arn("user", "alice") }); // the deleted user's name
  d3.Policies = d3.Policies.filter((p: any) => p.PolicyName !== "IAMReadOnlyAccess"); // AWS lists the AWS-managed policies in use only
  return [d1, d2, d3].map((d) => JSON.stringify(d));
}

describe.each(backends)("renames across daily snapshots on $name", (backend) => {
  let t: SnapshotApp;
  let files: string[];
  const reports: Awaited<ReturnType<SnapshotApp["importText"]>>[] = [];
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  const renames = async (streamId: string, type: string) => {
    const { events } = await gql(`query($f: EventFilter) { events(filter: $f, first: 100) { edges { node { payload occurredAt metadata { actor } } } } }`, { f: { streamId, types: [type] } });
    return events.edges.map((e: any) => [e.node.payload.userName ?? e.node.payload.groupName, e.node.payload.newUserName ?? e.node.payload.newGroupName, e.node.metadata.actor, e.node.occurredAt]);
  };
  beforeAll(async () => {
    t = await startSnapshotApp(backend);
    files = days();
    for (const [i, text] of files.entries()) reports.push(await t.importText(text, { asOf: day(i + 1), source: `day${i + 1}.json` }));
  });
  afterAll(() => t.close());

  it("a swap of two users' names and of two groups' names is renames only, through a temporary name", () => {
    expect(reports[1]!.eventCounts).toEqual({ UserUpdated: 3, GroupUpdated: 3 });
    expect(reports[2]!.eventCounts).toMatchObject({ UserDeleted: 1, UserUpdated: 1 });
  });

  it("history shows each id's renames, at the snapshot's time, by the import", async () => {
    const at2 = day(2).toISOString();
    const swap = `import-swap-${ALICE}`;
    expect(await renames(userStreamId(ALICE), "UserUpdated")).toEqual([
      ["alice", swap, "import:day2.json", at2],
      [swap, "bob", "import:day2.json", at2],
      ["bob", "alice", "import:day3.json", day(3).toISOString()],
    ]);
    expect(await renames(userStreamId(BOB), "UserUpdated")).toEqual([["bob", "alice", "import:day2.json", at2]]);
    expect((await renames(groupStreamId("AGPAQ3EGRQ3DEVS000002"), "GroupUpdated")).map((r: string[]) => r.slice(0, 2))).toEqual([["developers", "admins"]]);
  });

  it("each id keeps its permissions under its new name: the export at each day is that day's file", async () => {
    for (const [i, text] of files.entries()) {
      const point = await resolvePoint(t.db.prisma, { timestamp: day(i + 1) });
      expect(comparable(await accountAuthorizationDetailsAt(t.db.prisma, fixtureAccount, point.position))).toEqual(comparable(JSON.parse(text)));
    }
    const { user } = await gql(`{ user(userName: "alice") { userId arn } }`);
    expect(user).toEqual({ userId: ALICE, arn: arn("user", "alice") });
  });

  it("and decisions follow the id: on day 2 bob (alice's id) reads reports, alice (bob's id) administers", async () => {
    const at = day(2).toISOString();
    const { asOf } = await gql(`{ asOf(at: { timestamp: "${at}" }) {
      a: authorize(principalArn: "${arn("user", "bob")}", action: "s3:GetObject", resource: "arn:aws:s3:::reports/q1.csv") { decision }
      b: authorize(principalArn: "${arn("user", "bob")}", action: "iam:CreateUser", resource: "*") { decision }
      c: authorize(principalArn: "${arn("user", "ops/alice")}", action: "iam:CreateUser", resource: "*") { decision }
    } }`);
    const r = asOf;
    expect([r.a.decision, r.b.decision, r.c.decision]).toEqual(["allowed", "implicitDeny", "allowed"]);
  });
});

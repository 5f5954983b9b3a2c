import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { createCaller } from "../support/callers.js";
import { comparable, readSmallAccount, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// importAccountSnapshot and accountSnapshot over GraphQL (yoga.fetch, signed with the root key):
// the dry run is the mutations' dryRun preview and writes nothing; the real import then appends
// exactly what the dry run counted; accountSnapshot answers with the file.

const mutation = `mutation ($s: String!, $dry: Boolean, $asOf: DateTime, $actions: [String!]) {
  importAccountSnapshot(snapshot: $s, source: "small-account.json", asOf: $asOf, dryRun: $dry, previewActions: $actions) {
    __typename
    ... on AccountSnapshotImport { applied commands actor eventCounts { type count } entitiesTouched unknownAwsManagedPolicies { arn path }
      preview { events { type } flips { principalArn action before after } } }
    ... on IamError { code message }
  }
}`;

describe.each(backends)("importAccountSnapshot over GraphQL on $name", (backend) => {
  let t: SnapshotApp;
  beforeAll(async () => {
    t = await startSnapshotApp(backend);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
  });
  const send = async (variables: Record<string, unknown>) => {
    const r = await t.client.request(mutation, { s: readSmallAccount(), asOf: "2024-06-01T00:00:00Z", ...variables });
    expect(r.errors).toBeUndefined();
    return r.data.importAccountSnapshot;
  };

  it("a dry run counts events per type and names whose decisions flip, and writes nothing", async () => {
    const dry = await send({ dry: true, actions: ["iam:CreateUser", "s3:GetObject"] });
    expect(dry.__typename).toBe("AccountSnapshotImport");
    expect(dry.applied).toBe(false);
    expect(dry.eventCounts).toContainEqual({ type: "UserCreated", count: 2 });
    expect(dry.entitiesTouched).toContain("arn:aws:iam::111122223333:user/alice");
    // bob gains iam:CreateUser through admins; the flips are the preview machinery's.
    expect(dry.preview.flips).toContainEqual({ principalArn: "arn:aws:iam::111122223333:user/ops/bob", action: "iam:CreateUser", before: "implicitDeny", after: "allowed" });
    expect(await t.eventCount()).toBe(0);
    expect(await t.db.prisma.user.count()).toBe(0);

    const real = await send({});
    expect(real.applied).toBe(true);
    expect(real.actor).toBe("import:small-account.json");
    expect(real.eventCounts).toEqual(dry.eventCounts);
    expect(await t.eventCount()).toBe(dry.preview.events.length);
  });

  it("accountSnapshot gives the imported file back", async () => {
    await send({});
    const r = await t.client.request(`{ accountSnapshot }`);
    expect(r.errors).toBeUndefined();
    expect(comparable(r.data.accountSnapshot)).toEqual(comparable(JSON.parse(readSmallAccount())));
  });

  it("a bad file comes back as an IamError naming the element, with nothing written", async () => {
    const bad = JSON.parse(readSmallAccount());
    bad.UserDetailList[1].GroupList.push("no-such-group");
    const r = await t.client.request(mutation, { s: JSON.stringify(bad) });
    expect(r.data.importAccountSnapshot).toMatchObject({ __typename: "IamError", code: "NoSuchEntity" });
    expect(r.data.importAccountSnapshot.message).toContain("$.UserDetailList[1].GroupList[2]");
    expect(await t.eventCount()).toBe(0);
  });

  it("a caller needs iamgraph:ImportAccountSnapshot, and then every command's own permission", async () => {
    const iamOnly = await createCaller(t, { userName: "iam-admin", policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }] });
    const importOnly = await createCaller(t, { userName: "importer", policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iamgraph:ImportAccountSnapshot", Resource: "*" }] }] });
    const before = await t.eventCount();
    for (const caller of [iamOnly, importOnly]) {
      const r = await caller.client.request(mutation, { s: readSmallAccount(), asOf: null });
      expect(r.data.importAccountSnapshot).toMatchObject({ __typename: "IamError", code: "AccessDenied" });
    }
    expect(await t.eventCount()).toBe(before);
  });

  it("an unauthenticated caller may not import", async () => {
    const r = await t.app.yoga.fetch("http://iamgraph.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: mutation, variables: { s: readSmallAccount() } }),
    });
    const body = (await r.json()) as { data?: { importAccountSnapshot?: unknown }; errors?: unknown[] };
    expect(body.data?.importAccountSnapshot ?? null).toBeNull();
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(await t.eventCount()).toBe(0);
  });
});

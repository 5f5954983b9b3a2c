import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// The log as an audit history over GraphQL: the whole log as a connection, filters, and each
// entity's own history, on every backend.

const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
const eventFields = `position streamId streamVersion type schemaVersion payload occurredAt metadata { actor accessKeyId requestId correlationId causationId }`;

describe.each(backends)("history queries on $name", (backend) => {
  let t: TestApp;
  const run = async (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await t.client.request(query, variables, headers);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  beforeAll(async () => {
    t = await startTestApp(backend);
    const m = (field: string, args: string) => `mutation { ${field}(${args}) { __typename ... on IamError { code message } } }`;
    ok(await t.client.request(m("createUser", `userName: "alice"`), {}, { "x-request-id": "req-create-alice" }), "createUser");
    ok(await t.client.request(m("createGroup", `groupName: "devs"`)), "createGroup");
    ok(await t.client.request(m("addUserToGroup", `userName: "alice", groupName: "devs"`)), "addUserToGroup");
    ok(await t.client.request(`mutation ($d: String!) { createPolicy(policyName: "S3Read", policyDocument: $d) { __typename } }`, { d: doc }), "createPolicy");
    ok(await t.client.request(m("attachUserPolicy", `userName: "alice", policyArn: "arn:aws:iam::123456789012:policy/S3Read"`)), "attachUserPolicy");
    ok(await t.client.request(m("updateUser", `userName: "alice", newUserName: "alicia"`)), "updateUser");
  });
  afterAll(async () => t?.close());

  it("pages the whole log in position order with position cursors", async () => {
    const first = await run(`{ events(first: 2) { edges { cursor node { ${eventFields} } } pageInfo { hasNextPage endCursor } } }`);
    expect(first.events.edges.map((e: any) => e.node.type)).toEqual(["UserCreated", "GroupCreated"]);
    expect(first.events.edges[0].cursor).toBe(String(first.events.edges[0].node.position));
    expect(first.events.edges[0].node).toMatchObject({ schemaVersion: 1, streamVersion: 1, metadata: { actor: "arn:aws:iam::123456789012:root", accessKeyId: "AKIAIAMGRAPHTESTROOT", requestId: "req-create-alice", correlationId: "req-create-alice", causationId: null } });
    expect(first.events.edges[0].node.payload).toMatchObject({ userName: "alice", path: "/" });
    expect(first.events.pageInfo.hasNextPage).toBe(true);
    const rest = await run(`query ($after: String) { events(first: 100, after: $after) { edges { node { type } } pageInfo { hasNextPage } } }`, { after: first.events.pageInfo.endCursor });
    expect(rest.events.edges.map((e: any) => e.node.type)).toEqual(["UserAddedToGroup", "PolicyCreated", "ManagedPolicyAttached", "UserUpdated"]);
    expect(rest.events.pageInfo.hasNextPage).toBe(false);
  });

  it("filters by types, actor, position and time, and by entity ARN across renames", async () => {
    const byType = await run(`{ events(filter: { types: ["UserCreated", "UserUpdated"] }) { edges { node { type } } } }`);
    expect(byType.events.edges.map((e: any) => e.node.type)).toEqual(["UserCreated", "UserUpdated"]);
    expect((await run(`{ events(filter: { actor: "nobody" }) { edges { node { type } } } }`)).events.edges).toEqual([]);
    const range = await run(`{ events(filter: { fromPosition: 2, toPosition: 3 }) { edges { node { position } } } }`);
    expect(range.events.edges.map((e: any) => e.node.position)).toEqual([2, 3]);
    expect((await run(`{ events(filter: { toTime: "2000-01-01T00:00:00Z" }) { edges { node { position } } } }`)).events.edges).toEqual([]);
    // The old ARN and the new one both reach alice's stream: renames are resolved through UserUpdated.newArn.
    for (const arn of ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alicia"]) {
      const h = await run(`query ($arn: String!) { history(arn: $arn) { edges { node { type } } } }`, { arn });
      expect(h.history.edges.map((e: any) => e.node.type)).toEqual(["UserCreated", "UserAddedToGroup", "ManagedPolicyAttached", "UserUpdated"]);
    }
  });

  it("gives each entity its own history as a field", async () => {
    const data = await run(`{
      user(userName: "alicia") { history { edges { node { type } } } }
      group(groupName: "devs") { history { edges { node { type payload } } } }
      policy(arn: "arn:aws:iam::123456789012:policy/S3Read") { history { edges { node { type } } } }
    }`);
    expect(data.user.history.edges.map((e: any) => e.node.type)).toEqual(["UserCreated", "UserAddedToGroup", "ManagedPolicyAttached", "UserUpdated"]);
    expect(data.group.history.edges.map((e: any) => e.node.type)).toEqual(["GroupCreated"]);
    expect(data.policy.history.edges.map((e: any) => e.node.type)).toEqual(["PolicyCreated"]);
  });

  it("refuses backward paging and bad cursors with InvalidInput", async () => {
    const r = await t.client.request(`{ events(last: 2) { edges { cursor } } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe("InvalidInput");
    const bad = await t.client.request(`{ events(after: "x") { edges { cursor } } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe("InvalidInput");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// Time travel over GraphQL against a known history: create, attach, detach, re-attach through a
// group, a new default version — the decision at every position, the causes of each change, and
// the intervals of access.

const arn = (kind: string, name: string) => `arn:aws:iam::123456789012:${kind}/${name}`;
const doc = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const alice = arn("user", "alice");
const s3Read = arn("policy", "S3Read");

describe.each(backends)("time travel on $name", (backend) => {
  let t: TestApp;
  const at: Record<string, number> = {};
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  /** Sends a mutation and remembers the position it returned under a label. */
  const step = async (label: string, mutation: string, variables?: Record<string, unknown>) => {
    const data = await run(mutation, variables);
    const result = Object.values(data)[0] as any;
    if (result.__typename === "IamError") throw new Error(`${label}: ${result.code} ${result.message}`);
    at[label] = result.position;
  };
  const m = (field: string, args: string, payload = "PositionPayload") =>
    `mutation { ${field}(${args}) { __typename ... on ${payload} { position } ... on IamError { code message } } }`;

  beforeAll(async () => {
    t = await startTestApp(backend);
    await step("created", m("createUser", `userName: "alice"`, "UserPayload"));
    await step("policy", `mutation ($d: String!) { createPolicy(policyName: "S3Read", policyDocument: $d) { __typename ... on PolicyPayload { position } } }`, { d: doc("s3:GetObject") });
    await step("attached", m("attachUserPolicy", `userName: "alice", policyArn: "${s3Read}"`));
    await step("detached", m("detachUserPolicy", `userName: "alice", policyArn: "${s3Read}"`));
    await step("group", m("createGroup", `groupName: "devs"`, "GroupPayload"));
    await step("groupAttached", m("attachGroupPolicy", `groupName: "devs", policyArn: "${s3Read}"`));
    await step("joined", m("addUserToGroup", `userName: "alice", groupName: "devs"`));
    await step(
      "v2",
      `mutation ($d: String!) { createPolicyVersion(policyArn: "${s3Read}", policyDocument: $d, setAsDefault: true) { __typename ... on PolicyVersionPayload { position } } }`,
      { d: doc("s3:ListBucket") },
    );
  });
  afterAll(async () => t?.close());

  it("answers authorize as of every position of the history", async () => {
    const decisions: Record<string, [string, string]> = {};
    for (const [label, position] of Object.entries(at)) {
      const data = await run(
        `query ($p: Position!) { asOf(at: { position: $p }) {
          get: authorize(principalArn: "${alice}", action: "s3:GetObject") { decision }
          list: authorize(principalArn: "${alice}", action: "s3:ListBucket") { decision }
        } }`,
        { p: position },
      );
      decisions[label] = [data.asOf.get.decision, data.asOf.list.decision];
    }
    expect(decisions).toEqual({
      created: ["implicitDeny", "implicitDeny"],
      policy: ["implicitDeny", "implicitDeny"],
      attached: ["allowed", "implicitDeny"],
      detached: ["implicitDeny", "implicitDeny"],
      group: ["implicitDeny", "implicitDeny"],
      groupAttached: ["implicitDeny", "implicitDeny"],
      joined: ["allowed", "implicitDeny"],
      v2: ["implicitDeny", "allowed"],
    });
  });

  it("answers the authorize and simulatePrincipalPolicy fields with asOf like the PointInTime ones", async () => {
    for (const [label, expected] of [["attached", "allowed"], ["detached", "implicitDeny"], ["joined", "allowed"]] as const) {
      const data = await run(
        `query ($p: Position!) {
          authorize(principalArn: "${alice}", action: "s3:GetObject", resource: "*", asOf: { position: $p }) { __typename ... on AuthorizationDecision { decision } ... on IamError { code } }
          simulatePrincipalPolicy(policySourceArn: "${alice}", actionNames: ["s3:GetObject"], asOf: { position: $p }) {
            __typename ... on SimulatePolicyResponse { evaluationResults { evalActionName evalDecision } } ... on IamError { code }
          }
        }`,
        { p: at[label] },
      );
      expect(data.authorize).toEqual({ __typename: "AuthorizationDecision", decision: expected });
      expect(data.simulatePrincipalPolicy.evaluationResults).toEqual([{ evalActionName: "s3:GetObject", evalDecision: expected }]);
    }
    const before = await run(`query ($p: Position!) {
      authorize(principalArn: "${alice}", action: "s3:GetObject", resource: "*", asOf: { position: $p }) { __typename ... on IamError { code } }
    }`, { p: 0 });
    expect(before.authorize).toEqual({ __typename: "IamError", code: "NoSuchEntity" });
  });

  it("answers who could at a point, and agrees with the live who-can at the head", async () => {
    const who = async (p: number) => {
      const data = await run(
        `query ($p: Position!) {
          asOf(at: { position: $p }) { principalsAllowed(action: "s3:GetObject") { principalArn principalType matchedStatements { source { policyName } } } }
          principalsAllowed(action: "s3:GetObject", resource: "*", asOf: { position: $p }) { principalArn }
        }`,
        { p },
      );
      expect(data.principalsAllowed.map((x: any) => x.principalArn)).toEqual(data.asOf.principalsAllowed.map((x: any) => x.principalArn));
      return data.asOf.principalsAllowed;
    };
    expect(await who(at.attached!)).toEqual([{ principalArn: alice, principalType: "user", matchedStatements: [{ source: { policyName: "S3Read" } }] }]);
    expect(await who(at.detached!)).toEqual([]);
    expect((await who(at.joined!)).map((x: any) => x.principalArn)).toEqual([alice]);
    const head = at.v2!;
    for (const action of ["s3:GetObject", "s3:ListBucket"]) {
      const data = await run(`query ($p: Position!) { asOf(at: { position: $p }) { principalsAllowed(action: "${action}") { principalArn } } }`, { p: head });
      const live = await t.app.whoCan.principalsAllowed(action, "*");
      expect(data.asOf.principalsAllowed.map((x: any) => x.principalArn)).toEqual(live.map((x) => x.principalArn).sort());
    }
  });

  it("agrees with the live authorizer at the head", async () => {
    for (const action of ["s3:GetObject", "s3:ListBucket", "iam:CreateUser"]) {
      const data = await run(`{ asOf(at: {}) { authorize(principalArn: "${alice}", action: "${action}") { decision } } }`);
      const live = await t.app.authorizer.authorize({ principalArn: alice, action, resource: "*" });
      expect(data.asOf.authorize.decision).toBe(live.decision);
    }
  });

  it("shows entities and effective policies as they were, with provenance and the version in effect", async () => {
    const data = await run(
      `query ($p: Position!, $q: Position!) {
        before: asOf(at: { position: $p }) { user(userName: "ALICE") { userName groups { groupName } attachedPolicies { policyArn } stream { streamVersion } } group(groupName: "devs") { groupName } }
        after: asOf(at: { position: $q }) {
          user(userName: "alice") { groups { groupName } attachedPolicies { policyArn } }
          policy(arn: "${s3Read}") { defaultVersionId versions { versionId isDefaultVersion } }
          effectivePolicies(principalArn: "${alice}") { document source { kind role policyName versionId attachedTo { type name } viaGroup { name } } }
          simulatePrincipalPolicy(policySourceArn: "${alice}", actionNames: ["s3:GetObject", "s3:ListBucket"]) { action decision matchedStatements { source { policyName versionId } } }
        }
      }`,
      { p: at.attached, q: at.v2 },
    );
    expect(data.before.user).toEqual({ userName: "alice", groups: [], attachedPolicies: [{ policyArn: s3Read }], stream: { streamVersion: 2 } });
    expect(data.before.group).toBeNull(); // not created yet
    expect(data.after.user).toEqual({ groups: [{ groupName: "devs" }], attachedPolicies: [] });
    expect(data.after.policy).toEqual({ defaultVersionId: "v2", versions: [{ versionId: "v1", isDefaultVersion: false }, { versionId: "v2", isDefaultVersion: true }] });
    expect(data.after.effectivePolicies).toEqual([
      { document: doc("s3:ListBucket"), source: { kind: "managed", role: "identity", policyName: "S3Read", versionId: "v2", attachedTo: { type: "group", name: "devs" }, viaGroup: { name: "devs" } } },
    ]);
    expect(data.after.simulatePrincipalPolicy).toEqual([
      { action: "s3:GetObject", decision: "implicitDeny", matchedStatements: [] },
      { action: "s3:ListBucket", decision: "allowed", matchedStatements: [{ source: { policyName: "S3Read", versionId: "v2" } }] },
    ]);
  });

  it("resolves a timestamp to the last position at or before it", async () => {
    const early = await run(`{ asOf(at: { timestamp: "2000-01-01T00:00:00Z" }) { position user(userName: "alice") { userName } } }`);
    expect(early.asOf).toEqual({ position: 0, user: null });
    const ev = await run(`query ($p: Position!) { events(filter: { fromPosition: $p, toPosition: $p }) { edges { node { occurredAt } } } }`, { p: at.detached });
    const time = ev.events.edges[0].node.occurredAt;
    const point = await run(`query ($ts: DateTime!) { asOf(at: { timestamp: $ts }) { position time } }`, { ts: time });
    const last = await run(`query ($ts: DateTime!) { events(filter: { toTime: $ts }, first: 1000) { edges { node { position } } } }`, { ts: time });
    expect(point.asOf.position).toBe(last.events.edges.at(-1).node.position);
    expect(point.asOf.position).toBeGreaterThanOrEqual(at.detached!);
    const both = await t.client.request(`{ asOf(at: { position: 1, timestamp: "2000-01-01T00:00:00Z" }) { position } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe("InvalidInput");
  });

  it("refuses a point past the head — a position not yet written, a timestamp to come — with InvalidInput, in every argument that takes one", async () => {
    const head = (await run(`{ asOf(at: {}) { position } }`)).asOf.position as number;
    const refusal = async (query: string) => {
      const r = await t.client.request(query);
      expect(r.data?.asOf ?? r.data?.permissionDiff ?? null).toBeNull();
      return { code: r.errors?.[0]?.extensions?.code, message: r.errors?.[0]?.message };
    };
    expect(await refusal(`{ asOf(at: { position: 99999 }) { position time } }`)).toEqual({
      code: "InvalidInput",
      message: `Position 99999 is beyond the head of the log (${head}); omit the point to mean now.`,
    });
    expect(await refusal(`{ asOf(at: { timestamp: "2099-01-01T00:00:00Z" }) { position time } }`)).toMatchObject({
      code: "InvalidInput",
      message: expect.stringMatching(/^The timestamp 2099-01-01T00:00:00.000Z is in the future/),
    });
    expect(await refusal(`{ permissionDiff(principalArn: "${alice}", from: { position: 0 }, to: { position: ${head + 1} }) { to { position } } }`)).toMatchObject({ code: "InvalidInput" });
    // The head itself, and a past timestamp after the last event, are points that happened.
    expect((await run(`query ($p: Position!) { asOf(at: { position: $p }) { position } }`, { p: head })).asOf.position).toBe(head);
    expect((await run(`query ($ts: DateTime!) { asOf(at: { timestamp: $ts }) { position } }`, { ts: new Date(Date.now() - 1).toISOString() })).asOf.position).toBe(head);
  });

  it("attributes each change of the effective set to the event that caused it", async () => {
    const data = await run(
      `query ($from: Position!, $to: Position!) {
        permissionDiff(principalArn: "${alice}", from: { position: $from }, to: { position: $to }, actions: ["s3:GetObject", "s3:ListBucket"]) {
          from { position } to { position }
          changes { change path beforeVersionId afterVersionId cause { position type metadata { actor } } statementsEntered statementsLeft }
          decisions { action before after flipped }
        }
      }`,
      { from: at.detached, to: at.v2 },
    );
    expect(data.permissionDiff.changes).toEqual([
      {
        change: "entered",
        path: "membership of group devs → attachment of S3Read to group devs",
        beforeVersionId: null,
        afterVersionId: "v2",
        cause: { position: at.v2, type: "PolicyDefaultVersionSet", metadata: { actor: "arn:aws:iam::123456789012:root" } },
        statementsEntered: [expect.objectContaining({ effect: "Allow", action: ["s3:ListBucket"] })],
        statementsLeft: [],
      },
    ]);
    expect(data.permissionDiff.decisions).toEqual([
      { action: "s3:GetObject", before: "implicitDeny", after: "implicitDeny", flipped: false },
      { action: "s3:ListBucket", before: "implicitDeny", after: "allowed", flipped: true },
    ]);
    const joined = await run(`query ($from: Position!, $to: Position!) {
      permissionDiff(principalArn: "${alice}", from: { position: $from }, to: { position: $to }) { changes { change path cause { position type } } }
    }`, { from: at.detached, to: at.joined });
    expect(joined.permissionDiff.changes).toEqual([
      { change: "entered", path: "membership of group devs → attachment of S3Read to group devs", cause: { position: at.joined, type: "UserAddedToGroup" } },
    ]);
  });

  it("lists the intervals of access with the events that opened and closed them", async () => {
    const data = await run(`{ accessTimeline(principalArn: "${alice}", action: "s3:GetObject") {
      openedBy { position type } closedBy { position type } allowedBy { source { attachedTo { type name } } }
    } }`);
    expect(data.accessTimeline).toEqual([
      { openedBy: { position: at.attached, type: "ManagedPolicyAttached" }, closedBy: { position: at.detached, type: "ManagedPolicyDetached" }, allowedBy: [{ source: { attachedTo: { type: "user", name: "alice" } } }] },
      { openedBy: { position: at.joined, type: "UserAddedToGroup" }, closedBy: { position: at.v2, type: "PolicyDefaultVersionSet" }, allowedBy: [{ source: { attachedTo: { type: "group", name: "devs" } } }] },
    ]);
    const missing = await t.client.request(`{ accessTimeline(principalArn: "${arn("user", "nobody")}", action: "s3:GetObject") { openedBy { position } } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe("NoSuchEntity");
  });
});

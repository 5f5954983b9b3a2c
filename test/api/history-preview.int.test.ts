import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";
import { actions, bound, doc, principals, shared, trust } from "../support/preview-world.js";

// Dry runs: previewChange must name exactly the (principal, action) pairs whose decision flips
// when the same change is then really applied — and append nothing itself.


const preview = `query ($change: ChangeInput!, $actions: [String!]!) {
  previewChange(change: $change, actions: $actions) {
    __typename
    ... on ChangePreview { position principalsConsidered events { streamId type } flips { principalArn action before after } }
    ... on IamError { code message }
  }
}`;

describe.each(backends)("previewChange on $name", (backend) => {
  let t: TestApp;
  const mutate = async (mutation: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(mutation, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    const result = Object.values(r.data)[0] as any;
    if (result.__typename === "IamError") throw new Error(`${result.code}: ${result.message}`);
  };
  const m = (field: string, args: string) => `mutation { ${field}(${args}) { __typename ... on IamError { code message } } }`;
  const decisions = async () => {
    const out = new Map<string, string>();
    for (const principalArn of principals) {
      for (const action of actions) out.set(`${principalArn} ${action}`, (await t.app.authorizer.authorize({ principalArn, action, resource: "*" })).decision);
    }
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp(backend);
    for (const u of ["u1", "u2", "u3"]) await mutate(m("createUser", `userName: "${u}"`));
    await mutate(`mutation ($d: String!) { createRole(roleName: "r1", assumeRolePolicyDocument: $d) { __typename } }`, { d: trust });
    await mutate(m("createGroup", `groupName: "g1"`));
    await mutate(m("addUserToGroup", `userName: "u1", groupName: "g1"`));
    await mutate(m("addUserToGroup", `userName: "u2", groupName: "g1"`));
    await mutate(`mutation ($d: String!) { createPolicy(policyName: "Shared", policyDocument: $d) { __typename } }`, { d: doc("s3:GetObject") });
    await mutate(`mutation ($d: String!) { createPolicy(policyName: "S3Only", policyDocument: $d) { __typename } }`, { d: doc("s3:*") });
    await mutate(m("attachGroupPolicy", `groupName: "g1", policyArn: "${shared}"`));
    await mutate(m("attachRolePolicy", `roleName: "r1", policyArn: "${shared}"`));
    await mutate(`mutation ($d: String!) { putUserPolicy(userName: "u3", policyName: "ops", policyDocument: $d) { __typename } }`, { d: doc("iam:ListUsers", "ec2:RunInstances") });
    await mutate(`mutation ($d: String!) { putUserPolicy(userName: "u1", policyName: "ec2", policyDocument: $d) { __typename } }`, { d: doc("ec2:RunInstances") });
  });
  afterAll(async () => t?.close());

  const cases: { name: string; change: Record<string, unknown>; apply: [string, Record<string, unknown>?]; expectFlips: number }[] = [
    {
      name: "createPolicyVersion with setAsDefault",
      change: { createPolicyVersion: { policyArn: shared, policyDocument: doc("s3:ListBucket"), setAsDefault: true } },
      apply: [`mutation ($d: String!) { createPolicyVersion(policyArn: "${shared}", policyDocument: $d, setAsDefault: true) { __typename } }`, { d: doc("s3:ListBucket") }],
      expectFlips: 6, // u1, u2, r1 × (GetObject lost, ListBucket gained)
    },
    { name: "detachRolePolicy", change: { detachPolicy: { entityType: "role", entityName: "r1", policyArn: shared } }, apply: [m("detachRolePolicy", `roleName: "r1", policyArn: "${shared}"`)], expectFlips: 1 },
    { name: "removeUserFromGroup", change: { removeUserFromGroup: { userName: "u2", groupName: "g1" } }, apply: [m("removeUserFromGroup", `userName: "u2", groupName: "g1"`)], expectFlips: 1 },
    { name: "deleteUserPolicy", change: { deleteInlinePolicy: { entityType: "user", entityName: "u3", policyName: "ops" } }, apply: [m("deleteUserPolicy", `userName: "u3", policyName: "ops"`)], expectFlips: 2 },
    {
      name: "putUserPermissionsBoundary",
      change: { putPermissionsBoundary: { entityType: "user", entityName: "u1", policyArn: bound } },
      apply: [m("putUserPermissionsBoundary", `userName: "u1", permissionsBoundary: "${bound}"`)],
      expectFlips: 1, // ec2:RunInstances from its inline policy is now outside the boundary
    },
    { name: "detachGroupPolicy", change: { detachPolicy: { entityType: "group", entityName: "g1", policyArn: shared } }, apply: [m("detachGroupPolicy", `groupName: "g1", policyArn: "${shared}"`)], expectFlips: 1 },
  ];

  it.each(cases)("$name: the preview equals the outcome of applying it, and appends nothing", async ({ change, apply, expectFlips }) => {
    const eventsBefore = await t.eventCount();
    const r = await t.client.request(preview, { change, actions });
    expect(r.errors).toBeUndefined();
    const result = r.data.previewChange;
    expect(result.__typename).toBe("ChangePreview");
    expect(await t.eventCount()).toBe(eventsBefore);

    const before = await decisions();
    await mutate(...apply);
    const after = await decisions();
    const actual = [...after]
      .filter(([key, d]) => (before.get(key) === "allowed") !== (d === "allowed"))
      .map(([key, d]) => ({ key, before: before.get(key), after: d }))
      .sort((a, b) => a.key.localeCompare(b.key));
    const previewed = result.flips
      .map((f: any) => ({ key: `${f.principalArn} ${f.action}`, before: f.before, after: f.after }))
      .sort((a: any, b: any) => a.key.localeCompare(b.key));
    expect(previewed).toEqual(actual);
    expect(previewed).toHaveLength(expectFlips);
  });

  it("refuses what the real mutation would refuse, with the same code, and leaves no gap in positions", async () => {
    const head = Number((await t.db.sql.query<{ p: string }>(`SELECT max(position)::text AS p FROM events`))[0]!.p);
    const r = await t.client.request(preview, { change: { detachPolicy: { entityType: "user", entityName: "u3", policyArn: shared } }, actions });
    expect(r.data.previewChange).toMatchObject({ __typename: "IamError", code: "NoSuchEntity" });
    const ok = await t.client.request(preview, { change: { addUserToGroup: { userName: "u3", groupName: "g1" } }, actions });
    expect(ok.data.previewChange.events).toEqual([{ streamId: expect.stringMatching(/^user-/), type: "UserAddedToGroup" }]);
    const two = await t.client.request(preview, { change: { addUserToGroup: { userName: "u3", groupName: "g1" }, removeUserFromGroup: { userName: "u3", groupName: "g1" } }, actions });
    expect(two.data.previewChange).toMatchObject({ __typename: "IamError", code: "InvalidInput" });
    await mutate(m("addUserToGroup", `userName: "u3", groupName: "g1"`));
    const next = Number((await t.db.sql.query<{ p: string }>(`SELECT max(position)::text AS p FROM events`))[0]!.p);
    expect(next).toBe(head + 1);
  });
});

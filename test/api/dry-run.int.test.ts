import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";
import { actions, arn, bound, doc, principals, shared, trust } from "../support/preview-world.js";

// `dryRun: true` on the real mutations: the same answer as previewChange, the same refusals as
// the real call, nothing appended — and the flips it names are the ones applying it produces.


const previewFields = `position principalsConsidered events { streamId type payload } flips { principalArn action before after }`;
const previewQuery = `query ($change: ChangeInput!, $actions: [String!]!) {
  previewChange(change: $change, actions: $actions) { __typename ... on ChangePreview { ${previewFields} } ... on IamError { code message } }
}`;
/** The mutation `field(args)` with the given dry-run arguments, selecting every member of its result. */
const mutation = (field: string, args: string, dryRun: string) =>
  `mutation ${args.includes("$d") ? "($d: String!)" : ""} { ${field}(${args}${dryRun}) { __typename ... on ChangePreview { ${previewFields} } ... on IamError { code message } } }`;

describe.each(backends)("dryRun on $name", (backend) => {
  let t: TestApp;
  const head = async () => Number((await t.db.sql.query<{ p: string }>(`SELECT coalesce(max(position), 0)::text AS p FROM events`))[0]!.p);
  const call = async (field: string, args: string, dryRun = "", d?: string) => {
    const r = await t.client.request(mutation(field, args, dryRun), { d });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data[field];
  };
  const must = async (field: string, args: string, d?: string) => {
    const result = await call(field, args, "", d);
    if (result.__typename === "IamError") throw new Error(`${field}: ${result.code}: ${result.message}`);
  };
  const decisions = async () => {
    const out = new Map<string, string>();
    for (const principalArn of principals) {
      for (const action of actions) out.set(`${principalArn} ${action}`, (await t.app.authorizer.authorize({ principalArn, action, resource: "*" })).decision);
    }
    return out;
  };
  // Flips without the positions and payload details that depend on when they were computed.
  const flipsOf = (p: any) => [...p.flips].map((f: any) => `${f.principalArn} ${f.action} ${f.before}→${f.after}`).sort();

  beforeAll(async () => {
    t = await startTestApp(backend);
    for (const u of ["u1", "u2", "u3"]) await must("createUser", `userName: "${u}"`);
    await must("createRole", `roleName: "r1", assumeRolePolicyDocument: $d`, trust);
    await must("createGroup", `groupName: "g1"`);
    await must("createGroup", `groupName: "g2"`);
    await must("addUserToGroup", `userName: "u1", groupName: "g1"`);
    await must("addUserToGroup", `userName: "u2", groupName: "g1"`);
    await must("createPolicy", `policyName: "Shared", policyDocument: $d`, doc("s3:GetObject"));
    await must("createPolicy", `policyName: "S3Only", policyDocument: $d`, doc("s3:*"));
    await must("createPolicy", `policyName: "Ops", policyDocument: $d`, doc("iam:ListUsers"));
    await must("attachGroupPolicy", `groupName: "g1", policyArn: "${shared}"`);
    await must("attachRolePolicy", `roleName: "r1", policyArn: "${shared}"`);
    await must("attachGroupPolicy", `groupName: "g2", policyArn: "${arn("policy", "Ops")}"`);
    await must("putUserPolicy", `userName: "u3", policyName: "ops", policyDocument: $d`, doc("iam:ListUsers", "ec2:RunInstances"));
    await must("putUserPolicy", `userName: "u1", policyName: "ec2", policyDocument: $d`, doc("ec2:RunInstances"));
  });
  afterAll(async () => t?.close());

  // Each: the mutation's own arguments, the same change as previewChange names it, and the flips expected.
  const cases: { field: string; args: string; d?: string; change: Record<string, unknown>; flips: number }[] = [
    { field: "attachUserPolicy", args: `userName: "u3", policyArn: "${shared}"`, change: { attachPolicy: { entityType: "user", entityName: "u3", policyArn: shared } }, flips: 1 },
    { field: "detachRolePolicy", args: `roleName: "r1", policyArn: "${shared}"`, change: { detachPolicy: { entityType: "role", entityName: "r1", policyArn: shared } }, flips: 1 },
    { field: "putRolePolicy", args: `roleName: "r1", policyName: "list", policyDocument: $d`, d: doc("s3:ListBucket"), change: { putInlinePolicy: { entityType: "role", entityName: "r1", policyName: "list", policyDocument: doc("s3:ListBucket") } }, flips: 1 },
    { field: "deleteUserPolicy", args: `userName: "u3", policyName: "ops"`, change: { deleteInlinePolicy: { entityType: "user", entityName: "u3", policyName: "ops" } }, flips: 2 },
    { field: "putUserPermissionsBoundary", args: `userName: "u1", permissionsBoundary: "${bound}"`, change: { putPermissionsBoundary: { entityType: "user", entityName: "u1", policyArn: bound } }, flips: 1 },
    { field: "addUserToGroup", args: `userName: "u3", groupName: "g2"`, change: { addUserToGroup: { userName: "u3", groupName: "g2" } }, flips: 1 },
    { field: "removeUserFromGroup", args: `userName: "u2", groupName: "g1"`, change: { removeUserFromGroup: { userName: "u2", groupName: "g1" } }, flips: 1 },
    {
      field: "createPolicyVersion",
      args: `policyArn: "${shared}", policyDocument: $d, setAsDefault: true`,
      d: doc("s3:ListBucket"),
      change: { createPolicyVersion: { policyArn: shared, policyDocument: doc("s3:ListBucket"), setAsDefault: true } },
      flips: 4, // u1 through g1, u3 directly (after the cases above: r1 detached, u2 removed) × (GetObject lost, ListBucket gained)
    },
  ];

  it.each(cases)("$field: equals previewChange and the outcome of applying it; appends nothing", async ({ field, args, d, change, flips }) => {
    const [count, position] = [await t.eventCount(), await head()];
    const dry = await call(field, args, `, dryRun: true, previewActions: ${JSON.stringify(actions)}`, d);
    expect(dry.__typename).toBe("ChangePreview");
    expect(await t.eventCount()).toBe(count);
    expect(await head()).toBe(position);

    const preview = (await t.client.request(previewQuery, { change, actions })).data.previewChange;
    expect(dry.position).toBe(preview.position);
    expect(dry.principalsConsidered).toBe(preview.principalsConsidered);
    expect(dry.events.map((e: any) => [e.streamId, e.type])).toEqual(preview.events.map((e: any) => [e.streamId, e.type]));
    expect(flipsOf(dry)).toEqual(flipsOf(preview));

    const before = await decisions();
    await must(field, args, d);
    const after = await decisions();
    const actual = [...after].filter(([key, v]) => (before.get(key) === "allowed") !== (v === "allowed")).map(([key, v]) => `${key} ${before.get(key)}→${v}`).sort();
    expect(flipsOf(dry)).toEqual(actual);
    expect(actual).toHaveLength(flips);
  });

  it("refuses an invalid change with the same error as the real mutation, and neither writes anything", async () => {
    const refusals: [string, string, string?][] = [
      ["attachUserPolicy", `userName: "u2", policyArn: "${arn("policy", "Nope")}"`],
      ["putUserPolicy", `userName: "u2", policyName: "bad", policyDocument: $d`, `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`],
      ["createUser", `userName: "U1"`],
      ["deleteGroup", `groupName: "g1"`],
      ["removeUserFromGroup", `userName: "u1", groupName: "g2"`],
      ["deletePolicy", `policyArn: "${shared}"`],
    ];
    for (const [field, args, d] of refusals) {
      const [count, position] = [await t.eventCount(), await head()];
      const dry = await call(field, args, ", dryRun: true", d);
      const real = await call(field, args, "", d);
      expect(real.__typename, field).toBe("IamError");
      expect(dry, field).toEqual(real);
      expect(await t.eventCount()).toBe(count);
      expect(await head()).toBe(position);
    }
  });

  it("creates nothing: a dry-run createUser names its event, and the name stays free; the positions stay gapless", async () => {
    const position = await head();
    const dry = await call("createUser", `userName: "newcomer"`, ", dryRun: true");
    expect(dry).toMatchObject({ __typename: "ChangePreview", position, flips: [], events: [{ type: "UserCreated", payload: { userName: "newcomer" } }] });
    expect((await t.client.request(`query { user(userName: "newcomer") { userName } }`)).data.user).toBeNull();
    await must("createUser", `userName: "newcomer"`);
    expect(await head()).toBe(position + 1);
  });

  it("without previewActions, evaluates the actions the affected policies name", async () => {
    const dry = await call("detachGroupPolicy", `groupName: "g2", policyArn: "${arn("policy", "Ops")}"`, ", dryRun: true");
    expect(dry.__typename).toBe("ChangePreview");
    // u3 is g2's member and gets iam:ListUsers only from it (its inline "ops" went earlier).
    expect(flipsOf(dry)).toEqual([`${arn("user", "u3")} iam:ListUsers allowed→implicitDeny`]);
    await must("addUserToGroup", `userName: "u2", groupName: "g2"`);
    const again = await call("detachGroupPolicy", `groupName: "g2", policyArn: "${arn("policy", "Ops")}"`, ", dryRun: true");
    expect(flipsOf(again)).toEqual([`${arn("user", "u2")} iam:ListUsers allowed→implicitDeny`, `${arn("user", "u3")} iam:ListUsers allowed→implicitDeny`]);
  });
});

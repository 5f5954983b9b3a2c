import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// User.effectiveActions, and action wildcards in principalsAllowed / accessTimeline, over GraphQL
// against a real store: alice holds IAMReadOnlyAccess directly, a writer policy through her group,
// and an inline Deny. Every answer is checked against `authorize` for the same principal.

const account = "123456789012";
const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
const alice = arn("user", "alice");
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const dataObject = "arn:aws:s3:::data/report.csv";

describe.each(backends)("effective actions and action wildcards on $name", (backend) => {
  let t: TestApp;
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  const mutate = async (query: string, variables?: Record<string, unknown>) => {
    const data = await run(query, variables);
    const result = Object.values(data)[0] as any;
    if (result.__typename === "IamError") throw new Error(`${result.code} ${result.message}`);
    return result;
  };
  const decision = async (action: string, resource: string) =>
    (await run(`{ authorize(principalArn: "${alice}", action: "${action}", resource: "${resource}") { ... on AuthorizationDecision { decision } } }`)).authorize.decision as string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const m = (field: string, args: string) => mutate(`mutation { ${field}(${args}) { __typename ... on IamError { code message } } }`);
    await m("createUser", `userName: "alice"`);
    await m("createGroup", `groupName: "writers"`);
    await mutate(`mutation ($d: String!) { createPolicy(policyName: "DataWriter", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
      d: doc({ Sid: "WriteData", Effect: "Allow", Action: "s3:Put*", Resource: "arn:aws:s3:::data/*" }),
    });
    await m("attachGroupPolicy", `groupName: "writers", policyArn: "${arn("policy", "DataWriter")}"`);
    await m("addUserToGroup", `userName: "alice", groupName: "writers"`);
    await m("attachUserPolicy", `userName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"`);
    await mutate(`mutation ($d: String!) { putUserPolicy(userName: "alice", policyName: "NoAcl", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
      d: doc({ Effect: "Deny", Action: "s3:PutObjectAcl", Resource: "*" }, { Effect: "Deny", Action: "s3:PutObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    });
  }, 120_000);
  afterAll(async () => t?.close());

  it("lists alice's actions with provenance through her group; each agrees with authorize", async () => {
    const data = await run(`{ user(userName: "alice") { effectiveActions(service: ["s3"], resource: "${dataObject}") {
      actions { action accessLevel unconditional resourceTypes { name required }
        grants { resources unconditional statement { sid sourcePolicyId provenance { viaGroup { groupName } versionId } }
                 denials { scope description conditions { operator key values } } } }
      summary { service levels { accessLevel allowed total } } } } }`);
    const { actions, summary } = data.user.effectiveActions;
    const putObject = actions.find((a: any) => a.action === "s3:PutObject");
    expect(putObject).toMatchObject({ accessLevel: "WRITE", unconditional: false });
    expect(putObject.grants[0]).toMatchObject({
      resources: ["arn:aws:s3:::data/*"],
      statement: { sid: "WriteData", sourcePolicyId: arn("policy", "DataWriter"), provenance: { viaGroup: { groupName: "writers" }, versionId: "v1" } },
      denials: [{ scope: "ALL_RESOURCES", conditions: [{ operator: "Bool", key: "aws:SecureTransport", values: ["false"] }] }],
    });
    expect(putObject.grants[0].denials[0].description).toBe('denied when Bool aws:SecureTransport ["false"]');
    expect(putObject.resourceTypes.map((r: any) => r.name)).toContain("object");
    expect(actions.find((a: any) => a.action === "s3:PutObjectAcl")).toBeUndefined();
    expect(actions.every((a: any) => a.action.startsWith("s3:Put"))).toBe(true);
    expect(summary[0].service).toBe("s3");
    // The unconditional ones are allowed; s3:PutObject is allowed without the request key and denied with it false.
    for (const a of actions.filter((x: any) => x.unconditional)) expect(await decision(a.action, dataObject)).toBe("allowed");
    expect(await decision("s3:PutObject", dataObject)).toBe("allowed"); // no aws:SecureTransport in the request: the Bool deny does not apply
    expect(await decision("s3:PutObjectAcl", dataObject)).toBe("explicitDeny");
    expect(await decision("s3:GetObject", dataObject)).toBe("implicitDeny");
    expect(await decision("s3:PutObject", "arn:aws:s3:::other/x")).toBe("implicitDeny");
  });

  it("the IAM read-only policy gives iam Get/List and not iam:CreateUser", async () => {
    const data = await run(`{ user(userName: "alice") { effectiveActions(service: ["iam"], accessLevel: [WRITE, PERMISSIONS_MANAGEMENT]) { actions { action } } } }`);
    expect(data.user.effectiveActions.actions).toEqual([]);
    const reads = await run(`{ user(userName: "alice") { effectiveActions(service: ["iam"]) { actions { action accessLevel } } } }`);
    const names = reads.user.effectiveActions.actions.map((a: any) => a.action);
    expect(names).toContain("iam:GetUser");
    expect(names).not.toContain("iam:CreateUser");
    expect(await decision("iam:GetUser", alice)).toBe("allowed");
    expect(await decision("iam:CreateUser", alice)).toBe("implicitDeny");
  });

  it("principalsAllowed answers an action wildcard per concrete action, as authorize decides each", async () => {
    const data = await run(`{ principalsAllowed(action: "s3:Put*", resource: "${dataObject}") { principalArn action } }`);
    const rows = data.principalsAllowed as { principalArn: string; action: string }[];
    expect(rows.every((r) => r.principalArn === alice)).toBe(true);
    const allowed = rows.map((r) => r.action);
    expect(allowed).toContain("s3:PutObject"); // allowed: aws:SecureTransport is absent from the request
    expect(allowed).not.toContain("s3:PutObjectAcl");
    const fromEffective = (await run(`{ user(userName: "alice") { effectiveActions(service: ["s3"], resource: "${dataObject}") { actions { action } } } }`)).user.effectiveActions.actions.map(
      (a: any) => a.action,
    );
    expect([...allowed].sort()).toEqual([...fromEffective].sort());
    for (const action of allowed.slice(0, 10)) expect(await decision(action, dataObject)).toBe("allowed");
    const concrete = await run(`{ principalsAllowed(action: "s3:PutObject", resource: "${dataObject}") { principalArn action } }`);
    expect(concrete.principalsAllowed).toEqual([{ principalArn: alice, action: "s3:PutObject" }]);
  });

  it("principalsAllowed asOf and the access timeline take the wildcard too", async () => {
    const asOf = await run(`{ principalsAllowed(action: "s3:PutObject*", resource: "${dataObject}", asOf: { timestamp: "${new Date().toISOString()}" }) { principalArn action } }`);
    expect(asOf.principalsAllowed.map((r: any) => r.action)).toContain("s3:PutObjectTagging");
    expect(asOf.principalsAllowed.map((r: any) => r.action)).not.toContain("s3:PutObjectAcl");
    const tl = await run(`{ accessTimeline(principalArn: "${alice}", action: "s3:PutObject*", resource: "${dataObject}") { action openedBy { type } closedBy { type } } }`);
    const byAction = new Map(tl.accessTimeline.map((i: any) => [i.action, i]));
    expect(byAction.get("s3:PutObjectTagging")).toEqual({ action: "s3:PutObjectTagging", openedBy: { type: "UserAddedToGroup" }, closedBy: null });
    // Denied from the moment the inline Deny arrived: the interval opened by the membership is closed by it.
    expect(byAction.get("s3:PutObjectAcl")).toEqual({ action: "s3:PutObjectAcl", openedBy: { type: "UserAddedToGroup" }, closedBy: { type: "InlinePolicyPut" } });
  });

  it("a wildcard that matches nothing is InvalidInput, not an empty answer", async () => {
    for (const action of ["s3:Gett*", "nosuchservice:*"]) {
      const r = await t.client.request(`{ principalsAllowed(action: "${action}", resource: "*") { principalArn } }`);
      expect(r.errors?.[0]?.extensions?.["code"]).toBe("InvalidInput");
      const tl = await t.client.request(`{ accessTimeline(principalArn: "${alice}", action: "${action}") { action } }`);
      expect(tl.errors?.[0]?.extensions?.["code"]).toBe("InvalidInput");
    }
    const all = await t.client.request(`{ principalsAllowed(action: "*", resource: "*") { principalArn } }`);
    expect(all.errors?.[0]?.message).toMatch(/at most 1000/);
  });

  // Answers are remembered per compiled set and principal (src/authz/effective-actions.ts): each
  // change below must give a new answer, the same one authorize gives.
  it("a remembered answer is not reused once alice changes: attach, detach, tag", async () => {
    const m = (field: string, args: string) => mutate(`mutation { ${field}(${args}) { __typename ... on IamError { code message } } }`);
    const actionsOf = async (service: string) =>
      (await run(`{ user(userName: "alice") { effectiveActions(service: ["${service}"]) { actions { action } } } }`)).user.effectiveActions.actions.map((a: any) => a.action) as string[];
    const before = await actionsOf("s3");
    expect(await actionsOf("s3")).toEqual(before);
    expect(before).not.toContain("s3:GetObject");
    await mutate(`mutation ($d: String!) { createPolicy(policyName: "S3Reads", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
      d: doc({ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }),
    });
    await m("attachUserPolicy", `userName: "alice", policyArn: "${arn("policy", "S3Reads")}"`);
    expect(await actionsOf("s3")).toContain("s3:GetObject");
    expect(await decision("s3:GetObject", dataObject)).toBe("allowed");
    await m("detachUserPolicy", `userName: "alice", policyArn: "${arn("policy", "S3Reads")}"`);
    expect(await actionsOf("s3")).toEqual(before);
    expect(await decision("s3:GetObject", dataObject)).toBe("implicitDeny");

    // A tag changes what alice is, not her policies: the key holds her facts too.
    await mutate(`mutation ($d: String!) { putUserPolicy(userName: "alice", policyName: "OpsReads", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
      d: doc({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "ops" } } }),
    });
    expect(await actionsOf("ec2")).toEqual([]);
    await m("tagUser", `userName: "alice", tags: [{ key: "team", value: "ops" }]`);
    expect(await actionsOf("ec2")).toContain("ec2:DescribeInstances");
    expect(await decision("ec2:DescribeInstances", "*")).toBe("allowed");
  });
});

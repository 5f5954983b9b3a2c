import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// restorePrincipal: compensating commands bring a principal back to its state at a point; the
// log only grows; a preview writes nothing; what cannot come back is reported, not ignored.

const account = "123456789012";
const root = `arn:aws:iam::${account}:root`;
const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

const restore = `mutation ($arn: String!, $position: Position!, $confirm: Boolean, $actions: [String!]) {
  restorePrincipal(arn: $arn, asOf: { position: $position }, confirm: $confirm, previewActions: $actions) {
    __typename
    ... on RestorePrincipalPayload {
      principalArn principalType applied position correlationId
      asOf { position }
      commands { type arguments }
      skipped { change subject reason }
      preview { position events { streamId type } flips { principalArn action before after } }
    }
    ... on IamError { code message }
  }
}`;

// The same selection now and at a point, so the two can be compared whole.
const userFields = `groups { groupName } attachedPolicies { policyArn } inlinePolicies { policyName policyDocument } permissionsBoundaryArn`;
const effective = `effectivePolicies(principalArn: $arn) { document source { kind role policyArn policyName versionId attachedTo { name } viaGroup { name } } }`;
const stateAt = (kind: "user" | "role") => `query ($position: Position!, $name: String!, $arn: String!) {
  asOf(at: { position: $position }) { ${kind}(${kind}Name: $name) { ${userFields.replace(kind === "role" ? "groups { groupName } " : "", "")} } ${effective} }
}`;

describe.each(backends)("restorePrincipal on $name", (backend) => {
  let t: TestApp;
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  /** Runs a mutation that must succeed; returns its result. */
  const mutate = async (field: string, args: string, variables?: Record<string, unknown>) => {
    const vars = variables ? `(${Object.keys(variables).map((k) => `$${k}: String!`).join(", ")})` : "";
    const data = await run(`mutation ${vars} { ${field}(${args}) { __typename ... on IamError { code message } } }`, variables);
    const result = data[field];
    if (result.__typename === "IamError") throw new Error(`${field}: ${result.code}: ${result.message}`);
    return result;
  };
  const head = async () => Number((await t.db.sql.query<{ p: string | null }>(`SELECT coalesce(max(position), 0)::text AS p FROM events`))[0]!.p);
  const logRows = (upTo: number) => t.db.sql.query(`SELECT position, stream_id, stream_version, type, data, metadata FROM events WHERE position <= $1 ORDER BY position`, [upTo]);
  const stateOf = async (kind: "user" | "role", name: string, position: number) => {
    const data = await run(stateAt(kind), { position, name, arn: arn(kind, name) });
    return data.asOf;
  };
  const createPolicy = (name: string, ...actions: string[]) => mutate("createPolicy", `policyName: "${name}", policyDocument: $d`, { d: doc(...actions) });
  const attach = (user: string, policy: string) => mutate("attachUserPolicy", `userName: "${user}", policyArn: "${arn("policy", policy)}"`);
  const restoreTo = async (principalArn: string, position: number, confirm = false, actions?: string[]) => (await run(restore, { arn: principalArn, position, confirm, actions })).restorePrincipal;

  beforeAll(async () => {
    t = await startTestApp(backend);
    for (const p of ["P1", "P2", "P3", "P4", "Gone"]) await createPolicy(p, `s3:${p}`);
    await createPolicy("B1", "s3:*", "ec2:*");
    await createPolicy("B2", "s3:*");
    for (const g of ["g1", "g2", "g3", "gDoomed"]) await mutate("createGroup", `groupName: "${g}"`);
    await mutate("attachGroupPolicy", `groupName: "g1", policyArn: "${arn("policy", "P4")}"`);
  });
  afterAll(async () => t?.close());

  it("round trip: memberships, attachments, inline documents and boundary equal the state at P; the log only grew", async () => {
    await mutate("createUser", `userName: "alice"`);
    for (const g of ["g1", "g2"]) await mutate("addUserToGroup", `userName: "alice", groupName: "${g}"`);
    await attach("alice", "P1");
    await attach("alice", "P2");
    await mutate("putUserPolicy", `userName: "alice", policyName: "a", policyDocument: $d`, { d: doc("ec2:DescribeInstances") });
    await mutate("putUserPolicy", `userName: "alice", policyName: "b", policyDocument: $d`, { d: doc("ec2:StartInstances") });
    await mutate("putUserPermissionsBoundary", `userName: "alice", permissionsBoundary: "${arn("policy", "B1")}"`);
    const P = await head();
    const atP = await stateOf("user", "alice", P);

    // Change many things.
    await mutate("removeUserFromGroup", `userName: "alice", groupName: "g1"`);
    await mutate("addUserToGroup", `userName: "alice", groupName: "g3"`);
    await mutate("detachUserPolicy", `userName: "alice", policyArn: "${arn("policy", "P1")}"`);
    await attach("alice", "P3");
    await mutate("deleteUserPolicy", `userName: "alice", policyName: "a"`);
    await mutate("putUserPolicy", `userName: "alice", policyName: "b", policyDocument: $d`, { d: doc("ec2:StopInstances") });
    await mutate("putUserPolicy", `userName: "alice", policyName: "c", policyDocument: $d`, { d: doc("iam:ListUsers") });
    await mutate("putUserPermissionsBoundary", `userName: "alice", permissionsBoundary: "${arn("policy", "B2")}"`);
    const changedHead = await head();
    expect(await stateOf("user", "alice", changedHead)).not.toEqual(atP);

    // The preview writes nothing and names the commands, removals first.
    const countBefore = await t.eventCount();
    const log = await logRows(changedHead);
    const preview = await restoreTo(arn("user", "alice"), P);
    expect(preview).toMatchObject({ __typename: "RestorePrincipalPayload", applied: false, principalType: "user", asOf: { position: P }, position: changedHead, correlationId: null, skipped: [] });
    expect(preview.commands.map((c: any) => c.type)).toEqual([
      "RemoveUserFromGroup",
      "DetachPolicy",
      "DeleteInlinePolicy",
      "AddUserToGroup",
      "AttachPolicy",
      "PutInlinePolicy",
      "PutInlinePolicy",
      "PutPermissionsBoundary",
    ]);
    expect(preview.commands[0].arguments).toEqual({ userName: "alice", groupName: "g3" });
    expect(preview.commands[4].arguments).toEqual({ entityType: "user", entityName: "alice", policyArn: arn("policy", "P1") });
    expect(preview.preview.events).toHaveLength(8);
    // Under B2 (s3 only) the ec2 grants are capped; back under B1 (s3, ec2) they count again.
    const flips = preview.preview.flips.map((f: any) => `${f.action} ${f.before}→${f.after}`).sort();
    expect(flips).toEqual([
      "ec2:DescribeInstances implicitDeny→allowed",
      "ec2:StartInstances implicitDeny→allowed",
      "s3:P1 implicitDeny→allowed",
      "s3:P3 allowed→implicitDeny",
      "s3:P4 implicitDeny→allowed", // through g1
    ]);
    const actions = ["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "iam:ListUsers", "s3:P1", "s3:P2", "s3:P3", "s3:P4"];
    const decide = async () => Promise.all(actions.map(async (action) => (await t.app.authorizer.authorize({ principalArn: arn("user", "alice"), action, resource: "*" })).decision));
    const decidedBefore = await decide();
    expect(await t.eventCount()).toBe(countBefore);
    expect(await head()).toBe(changedHead);

    // Confirmed: applied as new events, by the caller, under one correlation id.
    const applied = await restoreTo(arn("user", "alice"), P, true);
    expect(applied).toMatchObject({ applied: true, preview: null });
    expect(applied.commands).toEqual(preview.commands);
    const after = await head();
    expect(after).toBe(changedHead + 8);
    // The preview named exactly the decisions that flipped.
    const decidedAfter = await decide();
    const flipped = actions.flatMap((a, i) => ((decidedBefore[i] === "allowed") !== (decidedAfter[i] === "allowed") ? [`${a} ${decidedBefore[i]}→${decidedAfter[i]}`] : []));
    expect(flipped.sort()).toEqual(flips);
    expect(applied.position).toBe(after);
    expect(await logRows(changedHead)).toEqual(log); // nothing before was touched
    const appended = await t.db.sql.query<{ metadata: any }>(`SELECT metadata FROM events WHERE position > $1 ORDER BY position`, [changedHead]);
    expect(appended).toHaveLength(8);
    for (const e of appended) {
      const metadata = typeof e.metadata === "string" ? JSON.parse(e.metadata) : e.metadata;
      expect(metadata).toMatchObject({ actor: root, correlationId: applied.correlationId });
    }

    // The state now equals the state at P: holdings and the effective set (documents, provenance).
    const now = await stateOf("user", "alice", after);
    const sortState = (s: any) => ({
      ...s,
      user: { ...s.user, groups: [...s.user.groups].sort((a: any, b: any) => a.groupName.localeCompare(b.groupName)), attachedPolicies: [...s.user.attachedPolicies].sort((a: any, b: any) => a.policyArn.localeCompare(b.policyArn)), inlinePolicies: [...s.user.inlinePolicies].sort((a: any, b: any) => a.policyName.localeCompare(b.policyName)) },
      effectivePolicies: [...s.effectivePolicies].sort((a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    });
    expect(sortState(now)).toEqual(sortState(atP));
    // Read models agree with the log.
    const current = await run(`query { user(userName: "alice") { groups { groupName } attachedPolicies { policyArn } inlinePolicies { policyName policyDocument } permissionsBoundary { permissionsBoundaryArn } } }`);
    expect(current.user.groups.map((g: any) => g.groupName).sort()).toEqual(["g1", "g2"]);
    expect(current.user.attachedPolicies.map((p: any) => p.policyArn).sort()).toEqual([arn("policy", "P1"), arn("policy", "P2")]);
    expect(current.user.inlinePolicies).toEqual(expect.arrayContaining(atP.user.inlinePolicies));
    expect(current.user.inlinePolicies).toHaveLength(2);
    expect(current.user.permissionsBoundary).toEqual({ permissionsBoundaryArn: arn("policy", "B1") });

    // Restoring again changes nothing and appends nothing.
    const again = await restoreTo(arn("user", "alice"), P, true);
    expect(again).toMatchObject({ applied: true, commands: [], position: after });
    expect(await head()).toBe(after);
  });

  it("round trip for a role: attachments, inline policies and boundary", async () => {
    await mutate("createRole", `roleName: "worker", assumeRolePolicyDocument: $d`, { d: trust });
    await mutate("attachRolePolicy", `roleName: "worker", policyArn: "${arn("policy", "P2")}"`);
    await mutate("putRolePolicy", `roleName: "worker", policyName: "r", policyDocument: $d`, { d: doc("sqs:SendMessage") });
    const P = await head();
    const atP = await stateOf("role", "worker", P);
    await mutate("detachRolePolicy", `roleName: "worker", policyArn: "${arn("policy", "P2")}"`);
    await mutate("deleteRolePolicy", `roleName: "worker", policyName: "r"`);
    await mutate("putRolePermissionsBoundary", `roleName: "worker", permissionsBoundary: "${arn("policy", "B2")}"`);
    const applied = await restoreTo(arn("role", "worker"), P, true);
    expect(applied.commands.map((c: any) => c.type)).toEqual(["DeletePermissionsBoundary", "AttachPolicy", "PutInlinePolicy"]);
    expect(await stateOf("role", "worker", await head())).toEqual(atP);
  });

  it("at the 10-attachment quota, detaches before it attaches", async () => {
    await mutate("createUser", `userName: "full"`);
    const names = Array.from({ length: 10 }, (_, i) => `Q${i}`);
    for (const n of [...names, "Q10"]) await createPolicy(n, `sns:${n}`);
    for (const n of names) await attach("full", n);
    const P = await head();
    await mutate("detachUserPolicy", `userName: "full", policyArn: "${arn("policy", "Q0")}"`);
    await attach("full", "Q10");
    // Attaching first would be the 11th attachment: refused with LimitExceeded.
    const applied = await restoreTo(arn("user", "full"), P, true);
    expect(applied.__typename).toBe("RestorePrincipalPayload");
    expect(applied.commands.map((c: any) => `${c.type} ${c.arguments.policyArn.split("/")[1]}`)).toEqual(["DetachPolicy Q10", "AttachPolicy Q0"]);
    const now = await stateOf("user", "full", await head());
    expect(now.user.attachedPolicies.map((p: any) => p.policyArn).sort()).toEqual(names.map((n) => arn("policy", n)).sort());
  });

  it("reports a deleted policy, a deleted group and a moved default version as skipped, and restores the rest", async () => {
    await mutate("createUser", `userName: "bob"`);
    await attach("bob", "Gone");
    await attach("bob", "P2");
    await mutate("addUserToGroup", `userName: "bob", groupName: "gDoomed"`);
    await mutate("putUserPolicy", `userName: "bob", policyName: "keep", policyDocument: $d`, { d: doc("kms:Decrypt") });
    const P = await head();
    await mutate("detachUserPolicy", `userName: "bob", policyArn: "${arn("policy", "Gone")}"`);
    await mutate("deletePolicy", `policyArn: "${arn("policy", "Gone")}"`);
    await mutate("removeUserFromGroup", `userName: "bob", groupName: "gDoomed"`);
    await mutate("deleteGroup", `groupName: "gDoomed"`);
    await mutate("deleteUserPolicy", `userName: "bob", policyName: "keep"`);
    await run(`mutation ($d: String!) { createPolicyVersion(policyArn: "${arn("policy", "P2")}", policyDocument: $d, setAsDefault: true) { __typename } }`, { d: doc("s3:P2v2") });

    const applied = await restoreTo(arn("user", "bob"), P, true);
    expect(applied.commands.map((c: any) => c.type)).toEqual(["PutInlinePolicy"]);
    expect(applied.skipped).toEqual([
      { change: "AddUserToGroup", subject: "gDoomed", reason: expect.stringContaining("deleted since") },
      { change: "AttachPolicy", subject: arn("policy", "Gone"), reason: expect.stringContaining("no longer exists") },
      { change: "SetDefaultPolicyVersion", subject: arn("policy", "P2"), reason: expect.stringContaining("from v1 to v2") },
    ]);
    const now = await stateOf("user", "bob", await head());
    expect(now.user.inlinePolicies).toEqual([{ policyName: "keep", policyDocument: doc("kms:Decrypt") }]);
  });

  it("refuses with a typed error a principal that did not exist at the point or was deleted since, writing nothing", async () => {
    const before = await head();
    await mutate("createUser", `userName: "late"`);
    const tooEarly = await restoreTo(arn("user", "late"), before, true);
    expect(tooEarly).toMatchObject({ __typename: "IamError", code: "NoSuchEntity", message: expect.stringContaining(`existed at position ${before}`) });
    const P = await head();
    await mutate("deleteUser", `userName: "late"`);
    const deleted = await restoreTo(arn("user", "late"), P, true);
    expect(deleted).toMatchObject({ __typename: "IamError", code: "NoSuchEntity", message: expect.stringContaining("deleted since") });
    const group = await restoreTo(arn("group", "g1"), P);
    expect(group).toMatchObject({ __typename: "IamError", code: "InvalidInput" });
    const future = await restoreTo(arn("user", "alice"), P + 1000);
    expect(future).toMatchObject({ __typename: "IamError", code: "InvalidInput" });
    expect(await head()).toBe(P + 1);
  });

  it("applies several commands all or nothing: a refusal of a later one rolls back the earlier ones", async () => {
    await mutate("createUser", `userName: "carol"`);
    const P = await head();
    const request = { actor: root };
    const refused = t.app.commands.handleAll(
      [
        { type: "AttachPolicy", entityType: "user", entityName: "carol", policyArn: arn("policy", "P1") },
        { type: "AttachPolicy", entityType: "user", entityName: "carol", policyArn: arn("policy", "NoSuchPolicy") },
      ],
      request,
    );
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: "NoSuchEntity" });
    expect(await head()).toBe(P);
    // The same, sharing the writer's transaction with other commands sent at the same moment: they
    // commit, the refused group does not.
    const together = await Promise.allSettled([
      t.app.commands.handle({ type: "AddUserToGroup", userName: "carol", groupName: "g2" }, request),
      t.app.commands.handleAll(
        [
          { type: "AttachPolicy", entityType: "user", entityName: "carol", policyArn: arn("policy", "P1") },
          { type: "AttachPolicy", entityType: "user", entityName: "carol", policyArn: arn("policy", "NoSuchPolicy") },
        ],
        request,
      ),
      t.app.commands.handle({ type: "AddUserToGroup", userName: "carol", groupName: "g3" }, request),
    ]);
    expect(together.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const now = await stateOf("user", "carol", await head());
    expect(now.user.attachedPolicies).toEqual([]);
    expect(now.user.groups.map((g: any) => g.groupName).sort()).toEqual(["g2", "g3"]);
    expect(await head()).toBe(P + 2);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, createCaller, createManagedPolicy, deny, policyOf } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";

// Privilege escalation stays impossible (issue 6, part 3): each attempt is refused with AWS's
// AccessDenied and writes nothing — through the mutation itself, its dryRun, previewChange and
// restorePrincipal alike, since all four authorize the same commands.

const ACCOUNT = "123456789012";
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const denied = (caller: string, action: string, resource: string, why: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
const noIdentityAllow = (action: string) => `because no identity-based policy allows the ${action} action`;

const result = `__typename ... on IamError { code message }`;
const attachUserPolicy = `mutation ($u: String!, $p: String!, $dry: Boolean) { attachUserPolicy(userName: $u, policyArn: $p, dryRun: $dry) { ${result} ... on PositionPayload { position } ... on ChangePreview { events { type } } } }`;

describe.each(backends)("privilege escalation on $name", (backend) => {
  let t: TestApp;
  let approved: string;
  beforeAll(async () => {
    t = await startTestApp(backend);
    approved = await createManagedPolicy(t, "ReadOnlyHelpers", policyOf(allow("iam:Get*")));
  });
  afterAll(() => t?.close());

  async function expectRefused(client: GraphQLClient, query: string, variables: Record<string, unknown>, field: string, message: string) {
    const before = await t.eventCount();
    const r = await client.request(query, variables);
    expect(r.errors).toBeUndefined();
    expect(r.data[field]).toEqual({ __typename: "IamError", code: "AccessDenied", message });
    expect(await t.eventCount()).toBe(before);
  }
  const attachedTo = async (userName: string) =>
    (await t.client.request(`{ user(userName: "${userName}") { attachedPolicies { policyArn } permissionsBoundary { permissionsBoundaryArn } accessKeys { accessKeyId } } }`)).data.user;

  test("iam:AttachUserPolicy conditioned on iam:PolicyARN cannot attach AdministratorAccess — not for real, not as a dry run, not through previewChange or restorePrincipal", async () => {
    const c = await createCaller(t, {
      userName: "delegate",
      policies: [
        policyOf(
          allow(["iam:AttachUserPolicy", "iam:DetachUserPolicy"], arn("user/delegate"), { ArnEquals: { "iam:PolicyARN": approved } }),
          allow(["iamgraph:PreviewChange", "iamgraph:RestorePrincipal", "iamgraph:ReadAsOf"]),
        ),
      ],
    });
    const refusal = denied(c.arn, "iam:AttachUserPolicy", c.arn, noIdentityAllow("iam:AttachUserPolicy"));
    await expectRefused(c.client, attachUserPolicy, { u: "delegate", p: ADMIN }, "attachUserPolicy", refusal);
    await expectRefused(c.client, attachUserPolicy, { u: "delegate", p: ADMIN, dry: true }, "attachUserPolicy", refusal);
    const preview = `query ($u: String!, $p: String!) { previewChange(actions: ["iam:CreateUser"], change: { attachPolicy: { entityType: user, entityName: $u, policyArn: $p } }) { ${result} ... on ChangePreview { flips { action } } } }`;
    await expectRefused(c.client, preview, { u: "delegate", p: ADMIN }, "previewChange", refusal);

    // The approved policy is allowed, as a dry run and for real.
    const before = await t.eventCount();
    const dry = await c.client.request(attachUserPolicy, { u: "delegate", p: approved, dry: true });
    expect(dry.data.attachUserPolicy).toEqual({ __typename: "ChangePreview", events: [{ type: "ManagedPolicyAttached" }] });
    expect(await t.eventCount()).toBe(before);
    expect(ok(await c.client.request(attachUserPolicy, { u: "delegate", p: approved }), "attachUserPolicy").position).toBeGreaterThan(0);
    expect((await attachedTo("delegate")).attachedPolicies).toEqual([{ policyArn: approved }]);

    // Root once gave the delegate AdministratorAccess, then took it away: restoring that point
    // would re-attach it, so the delegate may not restore it.
    const granted = ok(await t.client.request(attachUserPolicy, { u: "delegate", p: ADMIN }), "attachUserPolicy").position;
    ok(await t.client.request(`mutation { r: detachUserPolicy(userName: "delegate", policyArn: "${ADMIN}") { ${result} } }`), "r");
    const restore = `mutation ($a: String!, $p: Position!) { restorePrincipal(arn: $a, asOf: { position: $p }, confirm: true) { ${result} ... on RestorePrincipalPayload { applied } } }`;
    await expectRefused(c.client, restore, { a: c.arn, p: granted }, "restorePrincipal", refusal);
    expect((await attachedTo("delegate")).attachedPolicies).toEqual([{ policyArn: approved }]);
  });

  test("nor can it write itself an inline policy, or change a policy it holds, without those actions", async () => {
    const c = await createCaller(t, { userName: "sneaky", policies: [policyOf(allow("iam:AttachUserPolicy", arn("user/sneaky"), { ArnEquals: { "iam:PolicyARN": approved } }))] });
    const everything = JSON.stringify(policyOf(allow("*")));
    await expectRefused(
      c.client,
      `mutation ($d: String!) { putUserPolicy(userName: "sneaky", policyName: "all", policyDocument: $d) { ${result} } }`,
      { d: everything },
      "putUserPolicy",
      denied(c.arn, "iam:PutUserPolicy", c.arn, noIdentityAllow("iam:PutUserPolicy")),
    );
    await expectRefused(
      c.client,
      `mutation ($p: String!, $d: String!) { createPolicyVersion(policyArn: $p, policyDocument: $d, setAsDefault: true) { ${result} } }`,
      { p: approved, d: everything },
      "createPolicyVersion",
      denied(c.arn, "iam:CreatePolicyVersion", approved, noIdentityAllow("iam:CreatePolicyVersion")),
    );
  });

  test("a user whose boundary denies iam:* cannot lift or replace its own boundary", async () => {
    const c = await createCaller(t, { userName: "fenced", policies: [ADMIN], boundary: policyOf(allow("*"), deny("iam:*")) });
    const boundary = (await attachedTo("fenced")).permissionsBoundary;
    const why = "with an explicit deny in a permissions boundary";
    await expectRefused(
      c.client,
      `mutation { deleteUserPermissionsBoundary(userName: "fenced") { ${result} } }`,
      {},
      "deleteUserPermissionsBoundary",
      denied(c.arn, "iam:DeleteUserPermissionsBoundary", c.arn, why),
    );
    await expectRefused(
      c.client,
      `mutation ($b: String!) { putUserPermissionsBoundary(userName: "fenced", permissionsBoundary: $b) { ${result} } }`,
      { b: ADMIN },
      "putUserPermissionsBoundary",
      denied(c.arn, "iam:PutUserPermissionsBoundary", c.arn, why),
    );
    await expectRefused(c.client, attachUserPolicy, { u: "fenced", p: ADMIN, dry: true }, "attachUserPolicy", denied(c.arn, "iam:AttachUserPolicy", c.arn, why));
    expect((await attachedTo("fenced")).permissionsBoundary).toEqual(boundary);
  });

  test("iam:PermissionsBoundary: a delegated administrator may set only the approved boundary", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "junior") { ${result} } }`), "r");
    const c = await createCaller(t, {
      userName: "boundary-admin",
      policies: [policyOf(allow(["iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], "*", { StringEquals: { "iam:PermissionsBoundary": approved } }))],
    });
    const put = `mutation ($u: String!, $b: String!) { putUserPermissionsBoundary(userName: $u, permissionsBoundary: $b) { ${result} ... on PositionPayload { position } } }`;
    await expectRefused(c.client, put, { u: "junior", b: ADMIN }, "putUserPermissionsBoundary", denied(c.arn, "iam:PutUserPermissionsBoundary", arn("user/junior"), noIdentityAllow("iam:PutUserPermissionsBoundary")));
    ok(await c.client.request(put, { u: "junior", b: approved }), "putUserPermissionsBoundary");
    // Deleting is allowed only where the boundary in place is the approved one…
    ok(await t.client.request(put, { u: "junior", b: ADMIN }), "putUserPermissionsBoundary");
    const del = `mutation { deleteUserPermissionsBoundary(userName: "junior") { ${result} } }`;
    await expectRefused(c.client, del, {}, "deleteUserPermissionsBoundary", denied(c.arn, "iam:DeleteUserPermissionsBoundary", arn("user/junior"), noIdentityAllow("iam:DeleteUserPermissionsBoundary")));
    expect((await attachedTo("junior")).permissionsBoundary).toEqual({ permissionsBoundaryArn: ADMIN });
  });

  test("a user cannot create (or list, or delete) another user's access keys without permission on that user's ARN", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "victim") { ${result} } }`), "r");
    const self = "arn:aws:iam::123456789012:user/${aws:username}";
    const c = await createCaller(t, { userName: "key-holder", policies: [policyOf(allow(["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"], self))] });
    const create = `mutation ($u: String) { createAccessKey(userName: $u) { ${result} ... on AccessKeyPayload { accessKey { accessKeyId userName } } } }`;
    await expectRefused(c.client, create, { u: "victim" }, "createAccessKey", denied(c.arn, "iam:CreateAccessKey", arn("user/victim"), noIdentityAllow("iam:CreateAccessKey")));
    expect((await attachedTo("victim")).accessKeys).toEqual([]);
    const listed = await c.client.request(`{ accessKeys(userName: "victim") { accessKeyId } }`);
    expect(listed.errors![0]).toMatchObject({ message: denied(c.arn, "iam:ListAccessKeys", arn("user/victim"), noIdentityAllow("iam:ListAccessKeys")), extensions: { code: "AccessDenied" } });
    // Its own: allowed, with and without naming itself.
    expect(ok(await c.client.request(create, {}), "createAccessKey").accessKey.userName).toBe("key-holder");
    expect((await c.client.request(`{ accessKeys { accessKeyId } }`)).data.accessKeys).toHaveLength(2);
    // The victim's key, made by root, cannot be deleted by key-holder even knowing its id.
    const victimKey = ok(await t.client.request(create, { u: "victim" }), "createAccessKey").accessKey.accessKeyId;
    await expectRefused(
      c.client,
      `mutation ($k: String!) { deleteAccessKey(userName: "victim", accessKeyId: $k) { ${result} } }`,
      { k: victimKey },
      "deleteAccessKey",
      denied(c.arn, "iam:DeleteAccessKey", arn("user/victim"), noIdentityAllow("iam:DeleteAccessKey")),
    );
  });

  test("cross-account ARNs: denied where the policy names this account, NoSuchEntity where it allows any — nothing written either way", async () => {
    const foreignPolicy = "arn:aws:iam::999999999999:policy/Foreign";
    const foreignUser = "arn:aws:iam::999999999999:user/alice";
    const local = await createCaller(t, { userName: "local-admin", policies: [policyOf(allow("iam:*", `arn:aws:iam::${ACCOUNT}:*`))] });
    const anywhere = await createCaller(t, { userName: "any-admin", policies: [policyOf(allow(["iam:*", "iamgraph:*"]))] });

    const getPolicy = `query ($a: String!) { policy(arn: $a) { arn } }`;
    expect((await local.client.request(getPolicy, { a: foreignPolicy })).errors![0]!.message).toBe(denied(local.arn, "iam:GetPolicy", foreignPolicy, noIdentityAllow("iam:GetPolicy")));
    expect((await anywhere.client.request(getPolicy, { a: foreignPolicy })).data).toEqual({ policy: null });

    const version = `mutation ($a: String!) { createPolicyVersion(policyArn: $a, policyDocument: "{}") { ${result} } }`;
    await expectRefused(local.client, version, { a: foreignPolicy }, "createPolicyVersion", denied(local.arn, "iam:CreatePolicyVersion", foreignPolicy, noIdentityAllow("iam:CreatePolicyVersion")));

    const before = await t.eventCount();
    const attached = await anywhere.client.request(attachUserPolicy, { u: "any-admin", p: foreignPolicy });
    expect(attached.data.attachUserPolicy).toMatchObject({ __typename: "IamError", code: "NoSuchEntity" });
    const simulated = await anywhere.client.request(`{ simulatePrincipalPolicy(policySourceArn: "${foreignUser}", actionNames: ["iam:GetUser"]) { ${result} } }`);
    expect(simulated.data.simulatePrincipalPolicy).toMatchObject({ __typename: "IamError", code: "NoSuchEntity" });
    const simulatedLocally = await local.client.request(`{ simulatePrincipalPolicy(policySourceArn: "${foreignUser}", actionNames: ["iam:GetUser"]) { ${result} } }`);
    expect(simulatedLocally.data.simulatePrincipalPolicy).toEqual({
      __typename: "IamError",
      code: "AccessDenied",
      message: denied(local.arn, "iam:SimulatePrincipalPolicy", foreignUser, noIdentityAllow("iam:SimulatePrincipalPolicy")),
    });
    expect(await t.eventCount()).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { backends } from "../support/databases.js";
import { startLiveServer, subscribeSse, type Collector, type LiveServer } from "../support/live-server.js";

// Decisions about a role session (issue 18): `authorize` and `decisionChanged` take the session's
// ARN (arn:aws:sts::<acct>:assumed-role/<role>/<session>) and decide as the session — the role's
// policies within its session policies, its session tags as aws:PrincipalTag — and decisionChanged
// tells the session's subscriber when the role's policies change it (revocation included) and
// when the session expires. The server's clock is the test's: a session is issued "in the past"
// so that it expires a few seconds into the test.

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const session = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/app/${name}`;
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const result = `__typename ... on IamError { code message }`;

describe.each(backends)("decisions about role sessions on $name", (backend) => {
  let s: LiveServer;
  let offsetMs = 0;
  let userAuthorization: string;

  const assume = async (name: string, extra = "") => {
    const r = await fetch(s.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: userAuthorization },
      body: JSON.stringify({ query: `mutation { r: assumeRole(roleArn: "${ROLE}", roleSessionName: "${name}" ${extra}) { ${result} ... on AssumeRoleResponse { assumedRoleUser { arn } credentials { expiration } } } }` }),
    });
    const value = ((await r.json()) as any).data.r;
    if (value.code) throw new Error(`${value.code}: ${value.message}`);
    return value;
  };
  const authorize = async (principalArn: string, action: string, resource = "*", asOf = "") =>
    (await s.request(`{ r: authorize(principalArn: "${principalArn}", action: "${action}", resource: "${resource}" ${asOf}) { ${result} ... on AuthorizationDecision { decision reason } } }`)).data.r;
  const watch = (principalArn: string, action: string): Promise<Collector> =>
    subscribeSse(s.url, `subscription { decisionChanged(principalArn: "${principalArn}", action: "${action}", resource: "*") { principalArn before after reason cause { type } } }`);

  beforeAll(async () => {
    s = await startLiveServer(backend, { feedPollMs: 50, now: () => new Date(Date.now() + offsetMs) });
    await s.mutate("createRole", { roleName: "app", assumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: ["sts:AssumeRole", "sts:TagSession"] }) }, "RolePayload");
    await s.mutate("putRolePolicy", {
      roleName: "app",
      policyName: "work",
      policyDocument: doc(
        { Effect: "Allow", Action: ["iam:GetUser", "iam:ListUsers"], Resource: "*" },
        { Effect: "Allow", Action: "iam:GetRole", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "red" } } },
      ),
    });
    await s.mutate("createUser", { userName: "u" }, "UserPayload");
    await s.mutate("putUserPolicy", { userName: "u", policyName: "assume", policyDocument: doc({ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: ROLE }) });
    const key = (await s.request(`mutation { createAccessKey(userName: "u") { ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } } }`)).data.createAccessKey.accessKey;
    userAuthorization = basicAuthorization(key.accessKeyId, key.secretAccessKey);
    const policy = JSON.stringify(doc({ Effect: "Allow", Action: ["iam:GetUser", "iam:GetRole"], Resource: "*" }));
    await assume("tagged", `, policy: ${policy}, tags: [{ key: "team", value: "red" }]`);
    await assume("plain");
  }, 180_000);
  afterAll(() => s?.close());

  test("authorize on a session's ARN decides as the session: its session policy, its tags", async () => {
    expect(await authorize(session("tagged"), "iam:GetUser")).toEqual({ __typename: "AuthorizationDecision", decision: "allowed", reason: "allowed" });
    // The role allows ListUsers; the session policy does not.
    expect(await authorize(session("tagged"), "iam:ListUsers")).toEqual({ __typename: "AuthorizationDecision", decision: "implicitDeny", reason: "no session policy allows" });
    expect((await authorize(ROLE, "iam:ListUsers")).decision).toBe("allowed");
    // aws:PrincipalTag/team is the session's tag: the role itself, and the untagged session, have none.
    expect((await authorize(session("tagged"), "iam:GetRole")).decision).toBe("allowed");
    expect((await authorize(session("plain"), "iam:GetRole")).decision).toBe("implicitDeny");
    expect((await authorize(ROLE, "iam:GetRole")).decision).toBe("implicitDeny");
    expect(await authorize(session("nobody"), "iam:GetUser")).toEqual({ __typename: "IamError", code: "NoSuchEntity", message: `The principal ${session("nobody")} cannot be found.` });
  });

  test("authorize on a session's ARN asOf a point: the session as it was then; none before it was issued", async () => {
    // A point after the session was issued: the role's policies then, within the session's.
    const { position } = await s.mutate("createGroup", { groupName: "later" }, "GroupPayload");
    expect(await authorize(session("tagged"), "iam:ListUsers", "*", `, asOf: { position: ${position} }`)).toEqual({ __typename: "AuthorizationDecision", decision: "implicitDeny", reason: "no session policy allows" });
    expect((await authorize(session("tagged"), "iam:GetRole", "*", `, asOf: { position: ${position} }`)).decision).toBe("allowed");
    expect(await authorize(session("tagged"), "iam:GetUser", "*", `, asOf: { timestamp: "2020-01-01T00:00:00Z" }`)).toMatchObject({ code: "NoSuchEntity" });
  });

  test("decisionChanged on a session's ARN: revocation flips the session, with its cause; the role's own decision is a separate watch", async () => {
    const victim = await assume("victim");
    const onSession = await watch(victim.assumedRoleUser.arn, "iam:GetUser");
    const onRole = await watch(ROLE, "iam:GetUser");
    // Revoke: an inline deny on aws:TokenIssueTime — it denies sessions, not the role's own decisions.
    const revoked = await s.request(`mutation { revokeRoleSessions(roleName: "app") { ${result} } }`);
    expect(revoked.data.revokeRoleSessions.__typename).toBe("PositionPayload");
    const [flip] = await onSession.waitFor(1, 10_000);
    expect(flip).toEqual({ principalArn: session("victim"), before: "allowed", after: "explicitDeny", reason: "explicitDeny in identity policy", cause: { type: "InlinePolicyPut" } });
    expect((await authorize(session("victim"), "iam:GetUser")).decision).toBe("explicitDeny");
    // The role's watch moves only when the role's own decision does: its first message is this removal.
    await s.mutate("deleteRolePolicy", { roleName: "app", policyName: "work" });
    const [roleFlip] = await onRole.waitFor(1, 10_000);
    expect(roleFlip).toEqual({ principalArn: ROLE, before: "allowed", after: "implicitDeny", reason: "no identity allow", cause: { type: "InlinePolicyDeleted" } });
    onSession.stop();
    onRole.stop();
    await s.mutate("deleteRolePolicy", { roleName: "app", policyName: "AWSRevokeOlderSessions" });
    await s.mutate("putRolePolicy", { roleName: "app", policyName: "work", policyDocument: doc({ Effect: "Allow", Action: ["iam:GetUser", "iam:ListUsers"], Resource: "*" }) });
  });

  test("decisionChanged on a session's ARN fires when the session expires, with no cause; authorize then says it expired", async () => {
    // Issued 897 s "ago" for the minimum 900 s: it expires 3 s from now.
    offsetMs = -897_000;
    const short = await assume("short", ", durationSeconds: 900");
    offsetMs = 0;
    expect(new Date(short.credentials.expiration).getTime() - Date.now()).toBeLessThan(4_000);
    expect((await authorize(session("short"), "iam:GetUser")).decision).toBe("allowed");
    const onShort = await watch(session("short"), "iam:GetUser");
    const [expired] = await onShort.waitFor(1, 15_000);
    expect(expired).toEqual({ principalArn: session("short"), before: "allowed", after: "implicitDeny", reason: "session expired", cause: null });
    expect(await authorize(session("short"), "iam:GetUser")).toEqual({ __typename: "AuthorizationDecision", decision: "implicitDeny", reason: "session expired" });
    onShort.stop();
  });
});

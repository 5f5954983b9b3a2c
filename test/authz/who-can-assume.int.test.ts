import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, createCaller, deny, policyOf, type TestCaller } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// "Who could act as role X on date D" (issue 18): principalsAllowed(action: "sts:AssumeRole",
// resource: <role>) answers with the role's trust policy applied as STS applies it — a principal
// the trust policy names itself needs no identity policy; one admitted through its account (or
// `*`) needs its identity policies to allow sts:AssumeRole; an explicit deny refuses — now and
// asOf a point of the log (the trust policy and the policies then). The specification is STS
// itself: each user's real assumeRole succeeds exactly when principalsAllowed lists it.

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/target`;
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const result = `__typename ... on IamError { code message }`;
const whoCan = (asOf = "") =>
  `{ r: principalsAllowed(action: "sts:AssumeRole", resource: "${ROLE}" ${asOf}) { principalArn principalType matchedStatements { sid } trustStatements { statementIndex sid principalMatch } } }`;

describe.each(backends)("who could assume a role, on $name", (backend) => {
  let t: TestApp;
  const callers: Record<string, TestCaller> = {};

  const assumes = async (name: string) => {
    const r = (await callers[name]!.client.request(`mutation { r: assumeRole(roleArn: "${ROLE}", roleSessionName: "probe") { ${result} } }`)).data?.r as { __typename: string; code?: string };
    if (r.__typename !== "AssumeRoleResponse" && r.code !== "AccessDenied") throw new Error(`unexpected ${JSON.stringify(r)}`);
    return r.__typename === "AssumeRoleResponse";
  };
  const listed = async (asOf = "") => ok(await t.client.request(whoCan(asOf)), "r") as { principalArn: string; principalType: string; matchedStatements: { sid: string | null }[]; trustStatements: { statementIndex: number; sid: string | null; principalMatch: string }[] }[];
  /** What STS says, user by user: the specification principalsAllowed must equal. */
  const stsAnswer = async () => (await Promise.all(Object.keys(callers).map(async (n) => ((await assumes(n)) ? userArn(n) : undefined)))).filter(Boolean).sort();

  beforeAll(async () => {
    t = await startTestApp(backend);
    const trust = policyOf(
      { Sid: "Named", Effect: "Allow", Principal: { AWS: userArn("named") }, Action: "sts:AssumeRole" },
      { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
    );
    ok(await t.client.request(`mutation ($d: String!) { r: createRole(roleName: "target", assumeRolePolicyDocument: $d) { ${result} } }`, { d: JSON.stringify(trust) }), "r");
    ok(await t.client.request(`mutation ($d: String!) { r: createRole(roleName: "other", assumeRolePolicyDocument: $d) { ${result} } }`, { d: JSON.stringify(trust) }), "r");
    ok(await t.client.request(`mutation ($d: String!) { r: createRole(roleName: "chain", assumeRolePolicyDocument: $d) { ${result} } }`, { d: JSON.stringify(trust) }), "r");
    ok(await t.client.request(`mutation ($d: String!) { r: putRolePolicy(roleName: "chain", policyName: "hop", policyDocument: $d) { ${result} } }`, { d: JSON.stringify(policyOf(allow("sts:AssumeRole", ROLE))) }), "r");
    // named: in the trust policy by ARN, no policy of its own. delegate: admitted through the
    // account, allowed by its identity policy. elsewhere: allowed another role only. blocked:
    // named, but its identity policy denies. nobody: no policy, not named.
    callers.named = await createCaller(t, { userName: "named" });
    callers.delegate = await createCaller(t, { userName: "delegate", policies: [policyOf({ Sid: "Assume", ...allow("sts:AssumeRole", ROLE) })] });
    callers.elsewhere = await createCaller(t, { userName: "elsewhere", policies: [policyOf(allow("sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/other`))] });
    callers.blocked = await createCaller(t, { userName: "blocked", policies: [policyOf(deny("sts:AssumeRole", ROLE))] });
    callers.nobody = await createCaller(t, { userName: "nobody" });
  }, 120_000);
  afterAll(() => t?.close());

  test("now: the trust policy applied as STS applies it, and exactly the users STS admits", async () => {
    const now = await listed();
    expect(now.map((p) => p.principalArn)).toEqual([`arn:aws:iam::${ACCOUNT}:role/chain`, userArn("delegate"), userArn("named")]);
    // Both statements match "named"; the one naming it by ARN is why no identity policy is needed.
    expect(now.find((p) => p.principalArn === userArn("named"))).toMatchObject({
      matchedStatements: [],
      trustStatements: [{ statementIndex: 0, sid: "Named", principalMatch: "principal" }, { statementIndex: 1, sid: "Account", principalMatch: "account" }],
    });
    expect(now.find((p) => p.principalArn === userArn("delegate"))).toMatchObject({ matchedStatements: [{ sid: "Assume" }], trustStatements: [{ statementIndex: 1, sid: "Account", principalMatch: "account" }] });
    expect(now.find((p) => p.principalType === "ROLE" || p.principalType === "role")?.trustStatements).toEqual([{ statementIndex: 1, sid: "Account", principalMatch: "account" }]);
    expect(now.filter((p) => p.principalArn.includes(":user/")).map((p) => p.principalArn)).toEqual(await stsAnswer());
  });

  test("asOf: who could before the trust policy changed; after, who can now", async () => {
    const before = await listed();
    const head = ok(await t.client.request(`mutation { r: createGroup(groupName: "marker") { ${result} ... on GroupPayload { position } } }`), "r").position as number;
    ok(await t.client.request(`mutation ($d: String!) { r: updateAssumeRolePolicy(roleName: "target", policyDocument: $d) { ${result} } }`, {
      d: JSON.stringify(policyOf({ Sid: "OnlyDelegate", Effect: "Allow", Principal: { AWS: userArn("delegate") }, Action: "sts:AssumeRole" })),
    }), "r");
    const after = await listed();
    expect(after.map((p) => p.principalArn)).toEqual([userArn("delegate")]);
    expect(after[0]!.trustStatements).toEqual([{ statementIndex: 0, sid: "OnlyDelegate", principalMatch: "principal" }]);
    expect(after.map((p) => p.principalArn)).toEqual(await stsAnswer());
    // The log remembers: at the marker, the old trust policy admitted the old set.
    expect(await listed(`, asOf: { position: ${head} }`)).toEqual(before);
    // Before the role existed, nobody could.
    expect(await listed(`, asOf: { position: 1 }`)).toEqual([]);
  });

  test("accessTimeline for sts:AssumeRole: the trust policy's changes open and close intervals, as the identity policies' do", async () => {
    const timeline = async (name: string) =>
      ok(await t.client.request(`{ r: accessTimeline(principalArn: "${userArn(name)}", action: "sts:AssumeRole", resource: "${ROLE}") { openedBy { type } closedBy { type } } }`), "r");
    // named: from its creation (the trust policy already named it) until the trust policy stopped naming it.
    expect(await timeline("named")).toEqual([{ openedBy: { type: "UserCreated" }, closedBy: { type: "RoleAssumeRolePolicyUpdated" } }]);
    // delegate: from its identity policy (admitted through the account), still open (now named itself).
    expect(await timeline("delegate")).toEqual([{ openedBy: { type: "InlinePolicyPut" }, closedBy: null }]);
    // blocked: named, but its identity policy denies — never.
    expect(await timeline("blocked")).toEqual([]);
  });
});

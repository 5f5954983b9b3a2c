import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// Managed and inline policies, boundaries and roles through GraphQL, read as an AWS walkthrough:
// build a small account, then ask the simulator, the authorizer and who-can about it. The tests
// of one backend share one account and run in order (the version lifecycle changes it last).

const account = "123456789012";
const arn = (kind: "user" | "group" | "role" | "policy", name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const adminArn = "arn:aws:iam::aws:policy/AdministratorAccess";

const payload = `__typename ... on IamError { code message } ... on PositionPayload { position }`;
const M = {
  createGroup: `mutation ($n: String!) { createGroup(groupName: $n) { __typename ... on IamError { code message } } }`,
  createUser: `mutation ($n: String!, $tags: [TagInput!]) { createUser(userName: $n, tags: $tags) { __typename ... on IamError { code message } } }`,
  addUserToGroup: `mutation ($u: String!, $g: String!) { addUserToGroup(userName: $u, groupName: $g) { ${payload} } }`,
  createPolicy: `mutation ($n: String!, $d: String!) {
    createPolicy(policyName: $n, policyDocument: $d) { __typename ... on IamError { code message } ... on PolicyPayload { position policy { arn policyId defaultVersionId isAttachable } } }
  }`,
  createRole: `mutation ($n: String!, $d: String!) {
    createRole(roleName: $n, assumeRolePolicyDocument: $d, description: "app servers", tags: [{ key: "app", value: "web" }]) {
      __typename ... on IamError { code message } ... on RolePayload { role { roleId arn maxSessionDuration description assumeRolePolicyDocument tags { key value } } }
    }
  }`,
  attach: (noun: "User" | "Group" | "Role") => `mutation ($e: String!, $p: String!) { attach${noun}Policy(${noun.toLowerCase()}Name: $e, policyArn: $p) { ${payload} } }`,
  detach: (noun: "User" | "Group" | "Role") => `mutation ($e: String!, $p: String!) { detach${noun}Policy(${noun.toLowerCase()}Name: $e, policyArn: $p) { ${payload} } }`,
  put: (noun: "User" | "Group" | "Role") =>
    `mutation ($e: String!, $n: String!, $d: String!) { put${noun}Policy(${noun.toLowerCase()}Name: $e, policyName: $n, policyDocument: $d) { ${payload} } }`,
  putUserBoundary: `mutation ($e: String!, $p: String!) { putUserPermissionsBoundary(userName: $e, permissionsBoundary: $p) { ${payload} } }`,
  createPolicyVersion: `mutation ($p: String!, $d: String!, $def: Boolean) {
    createPolicyVersion(policyArn: $p, policyDocument: $d, setAsDefault: $def) {
      __typename ... on IamError { code message } ... on PolicyVersionPayload { policyVersion { versionId isDefaultVersion } }
    }
  }`,
  setDefault: `mutation ($p: String!, $v: String!) { setDefaultPolicyVersion(policyArn: $p, versionId: $v) { __typename ... on IamError { code message } ... on PolicyPayload { policy { defaultVersionId } } } }`,
  deleteVersion: `mutation ($p: String!, $v: String!) { deletePolicyVersion(policyArn: $p, versionId: $v) { __typename ... on IamError { code message } } }`,
  deletePolicy: `mutation ($p: String!) { deletePolicy(policyArn: $p) { ${payload} } }`,
  deleteUser: `mutation ($n: String!) { deleteUser(userName: $n) { ${payload} } }`,
  deleteGroup: `mutation ($n: String!) { deleteGroup(groupName: $n) { ${payload} } }`,
  deleteRole: `mutation ($n: String!) { deleteRole(roleName: $n) { ${payload} } }`,
};

const statementFields = `sourcePolicyId sourcePolicyType statementIndex sid effect
  provenance { kind policyName policyArn versionId role attachedTo { type name arn } viaGroup { groupName arn } }
  conditions { operator key policyValues contextValues matched }`;
const simulate = `query ($src: String!, $actions: [String!]!, $resources: [String!], $ctx: [ContextEntryInput!], $inputs: [String!], $boundary: [String!]) {
  simulatePrincipalPolicy(policySourceArn: $src, actionNames: $actions, resourceArns: $resources, contextEntries: $ctx, policyInputList: $inputs, permissionsBoundaryPolicyInputList: $boundary) {
    __typename
    ... on IamError { code message }
    ... on SimulatePolicyResponse { evaluationResults {
      evalActionName evalResourceName evalDecision reason missingContextValues
      matchedStatements { ${statementFields} }
      permissionsBoundaryDecisionDetail { allowedByPermissionsBoundary matchedStatements { sid } }
    } }
  }
}`;

const trustEc2 = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });

describe.each(backends)("policies, roles and evaluation ($name)", (backend) => {
  let t: TestApp;
  const statements: string[] = [];
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await t.client.request(query, variables);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data;
  };
  const mutate = async (query: string, variables: Record<string, unknown>) => {
    const data = await gql(query, variables);
    const field = Object.keys(data)[0]!;
    return ok({ status: 200, contentType: null, data }, field);
  };
  const refused = async (query: string, variables: Record<string, unknown>) => {
    const data = await gql(query, variables);
    const result = Object.values(data)[0] as { __typename: string; code: string; message: string };
    expect(result.__typename).toBe("IamError");
    return result;
  };
  const sim = async (user: string, actions: string[], resources?: string[], extra: Record<string, unknown> = {}) => {
    const data = await gql(simulate, { src: arn("user", user), actions, resources, ...extra });
    expect(data.simulatePrincipalPolicy.__typename, JSON.stringify(data.simulatePrincipalPolicy)).toBe("SimulatePolicyResponse");
    return data.simulatePrincipalPolicy.evaluationResults as any[];
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { onQuery: (sql) => statements.push(sql) });
    for (const g of ["Developers", "Auditors", "Idle"]) await mutate(M.createGroup, { n: g });
    await mutate(M.createUser, { n: "alice", tags: [{ key: "team", value: "blue" }] });
    await mutate(M.createUser, { n: "bob", tags: [{ key: "team", value: "red" }] });
    await mutate(M.createUser, { n: "carol" });
    await mutate(M.createUser, { n: "dave" });
    await mutate(M.createPolicy, { n: "S3ReadTeam", d: doc({ Sid: "ReadTeamBucket", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-bucket/*" }) });
    await mutate(M.createPolicy, {
      n: "TaggedEc2",
      d: doc(
        { Sid: "BlueTeamStarts", Effect: "Allow", Action: "ec2:StartInstances", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } } },
        { Sid: "OwnersStop", Effect: "Allow", Action: "ec2:StopInstances", Resource: "*", Condition: { StringEquals: { "ec2:ResourceTag/owner": "${aws:username}" } } },
      ),
    });
    await mutate(M.createPolicy, { n: "Boundary", d: doc({ Sid: "OnlyS3AndEc2", Effect: "Allow", Action: ["s3:*", "ec2:*"], Resource: "*" }) });
    await mutate(M.createPolicy, { n: "EverythingButIam", d: doc({ Sid: "NotIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" }) });
    await mutate(M.createPolicy, { n: "Messaging", d: doc({ Sid: "Publish", Effect: "Allow", Action: "sns:Publish", Resource: "*" }) });
    await mutate(M.attach("Group"), { e: "Developers", p: arn("policy", "S3ReadTeam") });
    await mutate(M.attach("Group"), { e: "Developers", p: arn("policy", "TaggedEc2") });
    await mutate(M.put("Group"), { e: "Developers", n: "DevHome", d: doc({ Sid: "OwnHome", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username}/*" }) });
    await mutate(M.put("Group"), { e: "Auditors", n: "NoDeletes", d: doc({ Sid: "NoDeletes", Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }) });
    await mutate(M.attach("Group"), { e: "Idle", p: arn("policy", "Messaging") });
    await mutate(M.addUserToGroup, { u: "alice", g: "Developers" });
    await mutate(M.addUserToGroup, { u: "alice", g: "Auditors" });
    await mutate(M.addUserToGroup, { u: "bob", g: "Developers" });
    await mutate(M.put("User"), { e: "alice", n: "AliceIam", d: doc({ Sid: "ReadSelf", Effect: "Allow", Action: "iam:GetUser", Resource: "*" }) });
    await mutate(M.putUserBoundary, { e: "alice", p: arn("policy", "Boundary") });
    await mutate(M.attach("User"), { e: "bob", p: arn("policy", "Messaging") });
    await mutate(M.attach("User"), { e: "carol", p: adminArn });
    await mutate(M.attach("User"), { e: "dave", p: arn("policy", "EverythingButIam") });
    await mutate(M.createRole, { n: "AppRole", d: trustEc2 });
    await mutate(M.attach("Role"), { e: "AppRole", p: arn("policy", "S3ReadTeam") });
  }, 120_000);
  afterAll(() => t?.close());

  test("a role keeps its trust policy, description, tags and policies", async () => {
    const data = await gql(`{ role(roleName: "approle") {
      roleName arn path description maxSessionDuration assumeRolePolicyDocument tags { key value }
      attachedPolicies { policyName policyArn } inlinePolicies { policyName } permissionsBoundary { permissionsBoundaryArn }
    } roles(pathPrefix: "/") { edges { node { roleName } } } }`);
    expect(data.role).toEqual({
      roleName: "AppRole",
      arn: arn("role", "AppRole"),
      path: "/",
      description: "app servers",
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: trustEc2,
      tags: [{ key: "app", value: "web" }],
      attachedPolicies: [{ policyName: "S3ReadTeam", policyArn: arn("policy", "S3ReadTeam") }],
      inlinePolicies: [],
      permissionsBoundary: null,
    });
    expect(data.roles.edges.map((e: any) => e.node.roleName)).toEqual(["AppRole"]);
    // A trust policy must name who may assume the role.
    const bad = await refused(M.createRole, { n: "NoPrincipal", d: doc({ Effect: "Allow", Action: "sts:AssumeRole" }) });
    expect(bad.code).toBe("MalformedPolicyDocument");
  });

  test("tagRole and untagRole change Role.tags (keys ignoring case) and the role's history; a missing role is NoSuchEntity", async () => {
    const tagRole = `mutation ($n: String!, $tags: [TagInput!]!) { tagRole(roleName: $n, tags: $tags) { __typename ... on IamError { code message } ... on RolePayload { role { tags { key value } } } } }`;
    const untagRole = `mutation ($n: String!, $keys: [String!]!) { untagRole(roleName: $n, tagKeys: $keys) { __typename ... on IamError { code message } ... on RolePayload { role { tags { key value } } } } }`;
    const tagged = await mutate(tagRole, { n: "TagMe", tags: [{ key: "k", value: "v" }] }).catch((e: Error) => e.message);
    expect(tagged).toContain("NoSuchEntity");
    await mutate(M.createRole, { n: "TagMe", d: trustEc2 });
    expect((await mutate(tagRole, { n: "tagme", tags: [{ key: "APP", value: "api" }, { key: "env", value: "prod" }] })).role.tags).toEqual([{ key: "APP", value: "api" }, { key: "env", value: "prod" }]);
    expect((await mutate(untagRole, { n: "TagMe", keys: ["ENV", "absent"] })).role.tags).toEqual([{ key: "APP", value: "api" }]);
    const refusal = await refused(tagRole, { n: "TagMe", tags: [{ key: "aws:reserved", value: "v" }] });
    expect(refusal).toMatchObject({ code: "InvalidInput", message: "Tag keys starting with 'aws:' are reserved for AWS use: aws:reserved" });
    const history = await gql(`{ role(roleName: "TagMe") { history { edges { node { type payload } } } } }`);
    expect(history.role.history.edges.map((e: any) => [e.node.type, e.node.payload.tags ?? e.node.payload.tagKeys])).toEqual([
      ["RoleCreated", [{ key: "app", value: "web" }]],
      ["RoleTagged", [{ key: "APP", value: "api" }, { key: "env", value: "prod" }]],
      ["RoleUntagged", ["ENV", "absent"]],
    ]);
    await mutate(untagRole, { n: "TagMe", keys: ["app"] });
    await mutate(M.deleteRole, { n: "TagMe" });
  });

  test("users and groups show what they hold; the user's boundary; the policy's counts and holders", async () => {
    const data = await gql(`{
      user(userName: "alice") {
        attachedPolicies { policyName } inlinePolicies { policyName policyDocument } inlinePolicy(policyName: "AliceIam") { policyName }
        missing: inlinePolicy(policyName: "Nope") { policyName }
        permissionsBoundary { permissionsBoundaryType permissionsBoundaryArn }
      }
      group(groupName: "Developers") { attachedPolicies { policyName policyArn } inlinePolicies { policyName } }
      policy(arn: "${arn("policy", "S3ReadTeam")}") { policyName defaultVersionId isAttachable isAwsManaged attachmentCount permissionsBoundaryUsageCount versions { versionId isDefaultVersion } defaultVersion { document } }
      boundary: policy(arn: "${arn("policy", "Boundary")}") { attachmentCount permissionsBoundaryUsageCount }
      entitiesForPolicy(arn: "${arn("policy", "S3ReadTeam")}") {
        __typename ... on EntitiesForPolicy { policyUsers { userName } policyGroups { groupName groupId } policyRoles { roleName roleId } }
      }
    }`);
    expect(data.user.attachedPolicies).toEqual([]);
    expect(data.user.inlinePolicies).toEqual([{ policyName: "AliceIam", policyDocument: doc({ Sid: "ReadSelf", Effect: "Allow", Action: "iam:GetUser", Resource: "*" }) }]);
    expect(data.user.inlinePolicy).toEqual({ policyName: "AliceIam" });
    expect(data.user.missing).toBeNull();
    expect(data.user.permissionsBoundary).toEqual({ permissionsBoundaryType: "PermissionsBoundaryPolicy", permissionsBoundaryArn: arn("policy", "Boundary") });
    expect(data.group.attachedPolicies.map((p: any) => p.policyName).sort()).toEqual(["S3ReadTeam", "TaggedEc2"]);
    expect(data.group.inlinePolicies).toEqual([{ policyName: "DevHome" }]);
    expect(data.policy).toMatchObject({
      policyName: "S3ReadTeam",
      defaultVersionId: "v1",
      isAttachable: true,
      isAwsManaged: false,
      attachmentCount: 2,
      permissionsBoundaryUsageCount: 0,
      versions: [{ versionId: "v1", isDefaultVersion: true }],
    });
    expect(JSON.parse(data.policy.defaultVersion.document).Statement[0].Sid).toBe("ReadTeamBucket");
    expect(data.boundary).toEqual({ attachmentCount: 0, permissionsBoundaryUsageCount: 1 });
    expect(data.entitiesForPolicy).toMatchObject({ policyUsers: [], policyGroups: [{ groupName: "Developers" }], policyRoles: [{ roleName: "AppRole" }] });
    const missing = await gql(`{ entitiesForPolicy(arn: "${arn("policy", "Nope")}") { __typename ... on IamError { code } } }`);
    expect(missing.entitiesForPolicy).toEqual({ __typename: "IamError", code: "NoSuchEntity" });
  });

  test("effective policies name the path each policy comes by", async () => {
    const data = await gql(`{ user(userName: "alice") { effectivePolicies { kind policyName policyArn versionId viaGroup { groupName } attachedTo { type name } sincePosition } } }`);
    const rows = data.user.effectivePolicies.map((p: any) => `${p.kind} ${p.policyName} ${p.versionId ?? "-"} via ${p.viaGroup?.groupName ?? "-"} on ${p.attachedTo.type}:${p.attachedTo.name}`);
    expect(rows.sort()).toEqual(
      [
        "boundary Boundary v1 via - on user:alice",
        "inline AliceIam - via - on user:alice",
        "inline DevHome - via Developers on group:Developers",
        "inline NoDeletes - via Auditors on group:Auditors",
        "managed S3ReadTeam v1 via Developers on group:Developers",
        "managed TaggedEc2 v1 via Developers on group:Developers",
      ].sort(),
    );
    for (const p of data.user.effectivePolicies) expect(p.sincePosition).toBeGreaterThan(0);
  });

  test("a grant through a group names the group, the policy, its version and the statement", async () => {
    const [r] = await sim("alice", ["s3:GetObject"], ["arn:aws:s3:::team-bucket/report.csv"]);
    expect(r).toMatchObject({ evalDecision: "allowed", reason: "allowed", missingContextValues: [] });
    expect(r.matchedStatements).toEqual([
      {
        sourcePolicyId: arn("policy", "S3ReadTeam"),
        sourcePolicyType: "user-managed",
        statementIndex: 0,
        sid: "ReadTeamBucket",
        effect: "Allow",
        provenance: {
          kind: "managed",
          policyName: "S3ReadTeam",
          policyArn: arn("policy", "S3ReadTeam"),
          versionId: "v1",
          role: "identity",
          attachedTo: { type: "group", name: "Developers", arn: arn("group", "Developers") },
          viaGroup: { groupName: "Developers", arn: arn("group", "Developers") },
        },
        conditions: [],
      },
    ]);
    expect(r.permissionsBoundaryDecisionDetail).toEqual({ allowedByPermissionsBoundary: true, matchedStatements: [{ sid: "OnlyS3AndEc2" }] });
  });

  test("an explicit deny anywhere wins over every allow", async () => {
    const [r] = await sim("alice", ["s3:DeleteObject"], ["arn:aws:s3:::home/alice/old.txt"]);
    expect(r.evalDecision).toBe("explicitDeny");
    expect(r.matchedStatements).toHaveLength(1);
    expect(r.matchedStatements[0]).toMatchObject({ sourcePolicyId: "NoDeletes", sourcePolicyType: "group", sid: "NoDeletes", effect: "Deny" });
    expect(r.matchedStatements[0].provenance.viaGroup.groupName).toBe("Auditors");
  });

  test("the boundary caps what identity policies grant, and can be replaced in a simulation", async () => {
    const [r] = await sim("alice", ["iam:GetUser"]);
    expect(r).toMatchObject({ evalDecision: "implicitDeny", reason: "boundary does not allow", permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: false } });
    expect(r.matchedStatements[0]).toMatchObject({ sid: "ReadSelf", sourcePolicyId: "AliceIam", sourcePolicyType: "user" });
    const [replaced] = await sim("alice", ["iam:GetUser"], undefined, { boundary: [doc({ Effect: "Allow", Action: "iam:*", Resource: "*" })] });
    expect(replaced.evalDecision).toBe("allowed");
    // Without any identity allow, a boundary grants nothing.
    const [none] = await sim("alice", ["ec2:TerminateInstances"]);
    expect(none).toMatchObject({ evalDecision: "implicitDeny", reason: "no identity allow" });
  });

  test("${aws:username} in Resource gives each user their own home", async () => {
    const results = await sim("alice", ["s3:PutObject"], ["arn:aws:s3:::home/alice/notes.txt", "arn:aws:s3:::home/bob/notes.txt"]);
    expect(results.map((r) => [r.evalResourceName, r.evalDecision])).toEqual([
      ["arn:aws:s3:::home/alice/notes.txt", "allowed"],
      ["arn:aws:s3:::home/bob/notes.txt", "implicitDeny"],
    ]);
    expect(results[0].matchedStatements[0]).toMatchObject({ sid: "OwnHome", sourcePolicyId: "DevHome", sourcePolicyType: "group" });
    const [bob] = await sim("bob", ["s3:PutObject"], ["arn:aws:s3:::home/bob/notes.txt"]);
    expect(bob.evalDecision).toBe("allowed");
  });

  test("a condition on aws:PrincipalTag reads the user's tags, and says so", async () => {
    const [alice] = await sim("alice", ["ec2:StartInstances"]);
    expect(alice.evalDecision).toBe("allowed");
    expect(alice.matchedStatements[0]).toMatchObject({
      sid: "BlueTeamStarts",
      statementIndex: 0,
      conditions: [{ operator: "StringEquals", key: "aws:PrincipalTag/team", policyValues: ["blue"], contextValues: ["blue"], matched: true }],
    });
    const [bob] = await sim("bob", ["ec2:StartInstances"]);
    expect(bob.evalDecision).toBe("implicitDeny");
  });

  test("a key the request lacks is reported in missingContextValues; supplying it decides", async () => {
    const [without] = await sim("alice", ["ec2:StopInstances"]);
    expect(without).toMatchObject({ evalDecision: "implicitDeny", missingContextValues: ["ec2:ResourceTag/owner"] });
    const ctx = (owner: string) => [{ contextKeyName: "ec2:ResourceTag/owner", contextKeyValues: [owner], contextKeyType: "string" }];
    const [own] = await sim("alice", ["ec2:StopInstances"], undefined, { ctx: ctx("alice") });
    expect(own).toMatchObject({ evalDecision: "allowed", missingContextValues: [] });
    expect(own.matchedStatements[0]).toMatchObject({ sid: "OwnersStop", statementIndex: 1, conditions: [{ policyValues: ["alice"], contextValues: ["alice"] }] });
    const [other] = await sim("alice", ["ec2:StopInstances"], undefined, { ctx: ctx("bob") });
    expect(other.evalDecision).toBe("implicitDeny");
  });

  test("NotAction allows everything except what it lists", async () => {
    const results = await sim("dave", ["sqs:SendMessage", "iam:CreateUser"]);
    expect(results.map((r) => [r.evalActionName, r.evalDecision])).toEqual([
      ["sqs:SendMessage", "allowed"],
      ["iam:CreateUser", "implicitDeny"],
    ]);
    expect(results[0].matchedStatements[0]).toMatchObject({ sid: "NotIam", sourcePolicyType: "user-managed" });
  });

  test("the AWS-managed AdministratorAccess allows everything; nobody may change it", async () => {
    const results = await sim("carol", ["iam:CreateUser", "s3:DeleteBucket", "ec2:TerminateInstances"], ["*", "arn:aws:s3:::any"]);
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.evalDecision).toBe("allowed");
      expect(r.matchedStatements[0]).toMatchObject({ sourcePolicyId: adminArn, sourcePolicyType: "aws-managed" });
    }
    const refusal = await refused(M.createPolicyVersion, { p: adminArn, d: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }) });
    expect(refusal.code).toBe("UnmodifiableEntity");
    const aws = await gql(`{ policies(scope: AWS, onlyAttached: true) { edges { node { arn isAwsManaged attachmentCount } } } }`);
    expect(aws.policies.edges.map((e: any) => e.node)).toEqual([{ arn: adminArn, isAwsManaged: true, attachmentCount: 1 }]);
  });

  test("simulation refusals are typed results: unknown principal, malformed input", async () => {
    const noSuch = await gql(simulate, { src: arn("user", "ghost"), actions: ["s3:GetObject"] });
    expect(noSuch.simulatePrincipalPolicy).toMatchObject({ __typename: "IamError", code: "NoSuchEntity" });
    const custom = await gql(`query ($p: [String!]!) { simulateCustomPolicy(policyInputList: $p, actionNames: ["s3:GetObject"]) {
      __typename ... on IamError { code message } ... on SimulatePolicyResponse { evaluationResults { evalDecision matchedStatements { sourcePolicyId sourcePolicyType } } }
    } }`, { p: [doc({ Effect: "Allow", Resource: "*" })] });
    expect(custom.simulateCustomPolicy).toEqual({ __typename: "IamError", code: "MalformedPolicyDocument", message: "PolicyInputList.1: Policy statement must contain actions." });
    const fine = await gql(`{ simulateCustomPolicy(policyInputList: [${JSON.stringify(doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }))}], actionNames: ["s3:GetObject"]) {
      __typename ... on SimulatePolicyResponse { evaluationResults { evalDecision matchedStatements { sourcePolicyId sourcePolicyType } } }
    } }`);
    expect(fine.simulateCustomPolicy.evaluationResults).toEqual([
      { evalDecision: "allowed", matchedStatements: [{ sourcePolicyId: "PolicyInputList.1", sourcePolicyType: "none" }] },
    ]);
  });

  test("MalformedPolicyDocument carries AWS's message", async () => {
    const noAction = await refused(M.createPolicy, { n: "Broken", d: doc({ Effect: "Allow", Resource: "*" }) });
    expect(noAction).toMatchObject({ code: "MalformedPolicyDocument", message: "Policy statement must contain actions." });
    const noVendor = await refused(M.put("User"), { e: "bob", n: "Broken", d: doc({ Effect: "Allow", Action: "GetObject", Resource: "*" }) });
    expect(noVendor).toMatchObject({ code: "MalformedPolicyDocument", message: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." });
  });

  test("principalsAllowed lists exactly the users and roles allowed, deny and boundary considered", async () => {
    const who = async (action: string, resource: string) =>
      (await gql(`query ($a: String!, $r: String!) { principalsAllowed(action: $a, resource: $r) { principalArn principalType matchedStatements { sid } } }`, { a: action, r: resource }))
        .principalsAllowed as any[];
    const readers = await who("s3:GetObject", "arn:aws:s3:::team-bucket/report.csv");
    expect(readers.map((p) => p.principalArn).sort()).toEqual(
      [arn("role", "AppRole"), arn("user", "alice"), arn("user", "bob"), arn("user", "carol"), arn("user", "dave")].sort(),
    );
    expect(readers.find((p) => p.principalArn === arn("role", "AppRole"))).toMatchObject({ principalType: "role", matchedStatements: [{ sid: "ReadTeamBucket" }] });
    // alice may write her home but is denied deletes by Auditors; bob's home is his own.
    expect((await who("s3:DeleteObject", "arn:aws:s3:::home/alice/x")).map((p) => p.principalArn).sort()).toEqual([arn("user", "carol"), arn("user", "dave")]);
    // iam:GetUser: alice's inline policy allows it, but her boundary does not.
    expect((await who("iam:GetUser", "*")).map((p) => p.principalArn)).toEqual([arn("user", "carol")]);
  });

  test("several authorize fields in one request are decided in one batch", async () => {
    const spy = vi.spyOn(t.app.authorizer, "authorizeMany");
    try {
      const data = await gql(`{
        a: authorize(principalArn: "${arn("user", "alice")}", action: "s3:GetObject", resource: "arn:aws:s3:::team-bucket/x") { __typename ... on AuthorizationDecision { decision } }
        b: authorize(principalArn: "${arn("user", "bob")}", action: "iam:CreateUser", resource: "*") { __typename ... on AuthorizationDecision { decision } }
        c: authorize(principalArn: "${arn("role", "AppRole")}", action: "s3:GetObject", resource: "arn:aws:s3:::team-bucket/x") {
          __typename ... on AuthorizationDecision { decision matchedStatements { sid provenance { attachedTo { type name } } } }
        }
        d: authorize(principalArn: "${arn("user", "ghost")}", action: "s3:GetObject", resource: "*") { __typename ... on IamError { code } }
      }`);
      expect(data.a.decision).toBe("allowed");
      expect(data.b.decision).toBe("implicitDeny");
      expect(data.c).toMatchObject({ decision: "allowed", matchedStatements: [{ sid: "ReadTeamBucket", provenance: { attachedTo: { type: "role", name: "AppRole" } } }] });
      expect(data.d).toEqual({ __typename: "IamError", code: "NoSuchEntity" });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]![0]).toHaveLength(4);
    } finally {
      spy.mockRestore();
    }
  });

  test("the 11th managed policy on one user is refused", async () => {
    await mutate(M.createUser, { n: "hoarder" });
    for (let i = 1; i <= 11; i++) await mutate(M.createPolicy, { n: `Filler${i}`, d: doc({ Effect: "Allow", Action: `sns:ListTopics`, Resource: `arn:aws:sns:::t${i}` }) });
    for (let i = 1; i <= 10; i++) await mutate(M.attach("User"), { e: "hoarder", p: arn("policy", `Filler${i}`) });
    const before = await t.eventCount();
    expect(await refused(M.attach("User"), { e: "hoarder", p: arn("policy", "Filler11") })).toEqual({
      __typename: "IamError",
      code: "LimitExceeded",
      message: "Cannot exceed quota for PolicyAttachmentsPerUser: 10",
    });
    expect(await t.eventCount()).toBe(before);
  });

  test("users, groups and roles holding policies cannot be deleted; nor can a policy in use", async () => {
    expect(await refused(M.deleteUser, { n: "dave" })).toMatchObject({ code: "DeleteConflict", message: "Cannot delete entity, must detach all policies first." });
    expect(await refused(M.deleteGroup, { n: "Idle" })).toMatchObject({ code: "DeleteConflict", message: "Cannot delete entity, must detach all policies first." });
    expect(await refused(M.deleteRole, { n: "AppRole" })).toMatchObject({ code: "DeleteConflict" });
    expect(await refused(M.deletePolicy, { p: arn("policy", "EverythingButIam") })).toMatchObject({ code: "DeleteConflict", message: "Cannot delete a policy attached to entities." });
    expect(await refused(M.deletePolicy, { p: arn("policy", "Boundary") })).toMatchObject({ code: "DeleteConflict", message: "Cannot delete a policy used as a permissions boundary." });
    // Once detached, both go.
    await mutate(M.detach("User"), { e: "dave", p: arn("policy", "EverythingButIam") });
    await mutate(M.deleteUser, { n: "dave" });
    await mutate(M.deletePolicy, { p: arn("policy", "EverythingButIam") });
    expect((await gql(`{ policy(arn: "${arn("policy", "EverythingButIam")}") { arn } }`)).policy).toBeNull();
  });

  test("policy versions: five at most, the default cannot be deleted, a new default decides at once", async () => {
    const p = arn("policy", "Messaging");
    const sns = async () => (await sim("bob", ["sns:Publish", "sqs:SendMessage"])).map((r) => [r.evalActionName, r.evalDecision, r.matchedStatements[0]?.provenance.versionId ?? null]);
    expect(await sns()).toEqual([
      ["sns:Publish", "allowed", "v1"],
      ["sqs:SendMessage", "implicitDeny", null],
    ]);
    const v2 = await mutate(M.createPolicyVersion, { p, d: doc({ Sid: "Queue", Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }) });
    expect(v2.policyVersion).toEqual({ versionId: "v2", isDefaultVersion: false });
    for (const v of ["v3", "v4", "v5"]) {
      const created = await mutate(M.createPolicyVersion, { p, d: doc({ Sid: v, Effect: "Allow", Action: "sns:ListTopics", Resource: "*" }) });
      expect(created.policyVersion.versionId).toBe(v);
    }
    expect(await refused(M.createPolicyVersion, { p, d: doc({ Effect: "Allow", Action: "sns:*", Resource: "*" }) })).toMatchObject({ code: "LimitExceeded" });
    expect(await refused(M.deleteVersion, { p, v: "v1" })).toEqual({ __typename: "IamError", code: "DeleteConflict", message: "Cannot delete the default version of a policy." });
    // Not yet in effect: only the default version counts.
    expect((await sns())[1]).toEqual(["sqs:SendMessage", "implicitDeny", null]);
    expect((await mutate(M.setDefault, { p, v: "v2" })).policy.defaultVersionId).toBe("v2");
    expect(await sns()).toEqual([
      ["sns:Publish", "implicitDeny", null],
      ["sqs:SendMessage", "allowed", "v2"],
    ]);
    expect(await mutate(M.deleteVersion, { p, v: "v1" })).toMatchObject({ __typename: "PolicyPayload" });
    const versions = await gql(`{ policyVersion(policyArn: "${p}", versionId: "v2") { isDefaultVersion } policy(arn: "${p}") { versions { versionId } } }`);
    expect(versions.policyVersion.isDefaultVersion).toBe(true);
    expect(versions.policy.versions.map((v: any) => v.versionId)).toEqual(["v2", "v3", "v4", "v5"]);
    // A version can be created again now, numbered on.
    expect((await mutate(M.createPolicyVersion, { p, d: doc({ Effect: "Allow", Action: "sns:*", Resource: "*" }), def: true })).policyVersion).toEqual({
      versionId: "v6",
      isDefaultVersion: true,
    });
  });

  test("validatePolicy reports findings with their location", async () => {
    const data = await gql(`query ($d: String!) { validatePolicy(policyDocument: $d, policyType: IDENTITY_POLICY) { findingType issueCode findingDetails locations { path span { start { line } } } } }`, {
      d: doc({ Effect: "Allow", Action: "s3:GetObject" }),
    });
    expect(data.validatePolicy.length).toBeGreaterThan(0);
    expect(data.validatePolicy[0].findingType).toBe("ERROR");
    const clean = await gql(`query ($d: String!) { validatePolicy(policyDocument: $d, policyType: TRUST_POLICY) { issueCode } }`, { d: trustEc2 });
    expect(clean.validatePolicy).toEqual([]);
  });

  test("account authorization details: one snapshot of everything and how it relates", async () => {
    const data = await gql(`{ accountAuthorizationDetails {
      userDetailList { userName groupList attachedManagedPolicies { policyName } userPolicyList { policyName } permissionsBoundary { permissionsBoundaryArn } tags { key value } }
      groupDetailList { groupName attachedManagedPolicies { policyName } groupPolicyList { policyName } }
      roleDetailList { roleName assumeRolePolicyDocument attachedManagedPolicies { policyArn } }
      policies { policyName isAwsManaged attachmentCount permissionsBoundaryUsageCount defaultVersionId policyVersionList { versionId isDefaultVersion } }
    } roleOnly: accountAuthorizationDetails(filter: [Role]) { userDetailList { userName } roleDetailList { roleName } policies { policyName } } }`);
    const d = data.accountAuthorizationDetails;
    expect(d.userDetailList.find((u: any) => u.userName === "alice")).toEqual({
      userName: "alice",
      groupList: expect.arrayContaining(["Developers", "Auditors"]),
      attachedManagedPolicies: [],
      userPolicyList: [{ policyName: "AliceIam" }],
      permissionsBoundary: { permissionsBoundaryArn: arn("policy", "Boundary") },
      tags: [{ key: "team", value: "blue" }],
    });
    expect(d.groupDetailList.find((g: any) => g.groupName === "Developers").groupPolicyList).toEqual([{ policyName: "DevHome" }]);
    expect(d.roleDetailList).toEqual([{ roleName: "AppRole", assumeRolePolicyDocument: trustEc2, attachedManagedPolicies: [{ policyArn: arn("policy", "S3ReadTeam") }] }]);
    expect(d.policies.find((p: any) => p.policyName === "AdministratorAccess")).toMatchObject({ isAwsManaged: true, attachmentCount: 1 });
    expect(d.policies.find((p: any) => p.policyName === "Boundary")).toMatchObject({ attachmentCount: 0, permissionsBoundaryUsageCount: 1 });
    expect(d.policies.find((p: any) => p.policyName === "Messaging").policyVersionList.map((v: any) => v.versionId)).toEqual(["v2", "v3", "v4", "v5", "v6"]);
    expect(data.roleOnly).toEqual({ userDetailList: [], roleDetailList: [{ roleName: "AppRole" }], policies: [] });
  });

  test("account summary counts entities and reports AWS's quotas", async () => {
    const data = await gql(`{ accountSummary { users usersQuota groups roles rolesQuota policies policiesQuota versionsPerPolicyQuota attachedPoliciesPerUserQuota policySizeQuota summaryMap { key value } } }`);
    expect(data.accountSummary).toMatchObject({
      users: 4, // alice, bob, carol, hoarder (dave was deleted)
      usersQuota: 5000,
      groups: 3,
      roles: 1,
      rolesQuota: 1000,
      policies: 4 + 11, // S3ReadTeam, TaggedEc2, Boundary, Messaging + fillers
      policiesQuota: 1500,
      versionsPerPolicyQuota: 5,
      attachedPoliciesPerUserQuota: 10,
      policySizeQuota: 6144,
    });
    expect(data.accountSummary.summaryMap).toContainEqual({ key: "GroupsPerUserQuota", value: 10 });
  });

  test("a page of policies with counts, tags and default version costs the same statements for 5 or 15", async () => {
    const page = `query ($n: Int!) { policies(scope: Local, first: $n) { edges { node { arn attachmentCount permissionsBoundaryUsageCount tags { key } defaultVersion { versionId } } } } }`;
    const measure = async (n: number) => {
      statements.length = 0;
      const data = await gql(page, { n });
      expect(data.policies.edges).toHaveLength(n);
      return statements.length;
    };
    const five = await measure(5);
    expect(await measure(15)).toBe(five);
    // policies, their tags, their default versions, attachment counts, boundary-usage counts.
    expect(five).toBeLessThanOrEqual(5);
  });
});

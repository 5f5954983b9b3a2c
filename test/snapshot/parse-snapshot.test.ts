import { describe, expect, it } from "vitest";
import { parseSnapshot } from "../../src/snapshot/parse-snapshot.js";
import { SnapshotRejected } from "../../src/snapshot/snapshot-rejected.js";
import { readSmallAccount } from "./snapshot-app.js";

// Bad input is refused whole, each bad element named by its JSON path (issue 15 item 5). The
// int tests show that a refused file writes nothing; here, what each refusal says.

const file = () => JSON.parse(readSmallAccount());
const refusal = (value: unknown, options = {}) => {
  try {
    parseSnapshot(typeof value === "string" ? value : JSON.stringify(value), options);
  } catch (err) {
    if (err instanceof SnapshotRejected) return err;
    throw err;
  }
  throw new Error("the snapshot was accepted");
};
const statement = (extra: object = {}) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }] });

describe("parseSnapshot", () => {
  it("reads the small account: AWS ids, one account, documents as text", () => {
    const { state, unknownAwsPolicies } = parseSnapshot(readSmallAccount());
    expect(state.accountId).toBe("111122223333");
    expect(state.users.map((u) => u.id)).toEqual(["AIDAQ3EGRQ3ALICE00001", "AIDAQ3EGRQ3BOB0000002"]);
    expect(state.users[1]!.groups).toEqual(["AGPAQ3EGRQ3DEVS000002", "AGPAQ3EGRQ3ADMINS0001"]);
    expect(state.policies.map((p) => [p.arn, p.versions.map((v) => v.versionId)])).toEqual([
      ["arn:aws:iam::111122223333:policy/deploy", ["v2", "v3"]],
      ["arn:aws:iam::111122223333:policy/boundaries/dev-boundary", ["v1"]],
    ]);
    expect(unknownAwsPolicies).toEqual([]);
  });

  it("decodes URL-encoded documents, as the raw API returns them, to the same state", () => {
    const encoded = file();
    for (const u of encoded.UserDetailList) for (const p of u.UserPolicyList) p.PolicyDocument = encodeURIComponent(JSON.stringify(p.PolicyDocument));
    for (const r of encoded.RoleDetailList) r.AssumeRolePolicyDocument = encodeURIComponent(JSON.stringify(r.AssumeRolePolicyDocument));
    for (const p of encoded.Policies) for (const v of p.PolicyVersionList) v.Document = encodeURIComponent(JSON.stringify(v.Document, null, 4));
    const a = parseSnapshot(readSmallAccount()).state;
    const b = parseSnapshot(JSON.stringify(encoded)).state;
    expect(b.users[0]!.inline[0]!.document).toBe(a.users[0]!.inline[0]!.document);
    expect(JSON.parse(b.roles[0]!.trustPolicy)).toEqual(JSON.parse(a.roles[0]!.trustPolicy));
    expect(JSON.parse(b.policies[0]!.versions[0]!.document)).toEqual(JSON.parse(a.policies[0]!.versions[0]!.document));
  });

  it("refuses a truncated file", () => {
    const text = readSmallAccount();
    const err = refusal(text.slice(0, text.length / 2));
    expect(err.problems[0]).toMatchObject({ path: "$", code: "InvalidInput" });
    expect(err.message).toMatch(/not valid JSON \(truncated\?\)/);
  });

  it("refuses an element of the wrong shape, by its path", () => {
    const f = file();
    f.UserDetailList[1].UserName = 42;
    expect(refusal(f).problems).toEqual([expect.objectContaining({ path: "$.UserDetailList[1].UserName", code: "InvalidInput" })]);
  });

  it.each([
    ["a bad %-escape", "%7B%ZZ", /neither JSON nor URL-encoded JSON/, "MalformedPolicyDocument"],
    ["text that is not JSON after decoding", encodeURIComponent('{"Version": "2012-10-17", "Statement": ['), /not valid JSON after decoding/, "MalformedPolicyDocument"],
    ["an invalid policy after decoding", encodeURIComponent(JSON.stringify(statement({ Effect: "Maybe" }))), /Syntax errors in policy/, "MalformedPolicyDocument"],
  ])("refuses %s, at the document's path", (_name, document, message, code) => {
    const f = file();
    f.GroupDetailList[1].GroupPolicyList[0].PolicyDocument = document;
    const [problem] = refusal(f).problems;
    expect(problem).toMatchObject({ path: "$.GroupDetailList[1].GroupPolicyList[0].PolicyDocument", code });
    expect(problem!.message).toMatch(message);
  });

  it("refuses references to a policy or a group that is not in the file", () => {
    const f = file();
    f.GroupDetailList[1].AttachedManagedPolicies[0].PolicyArn = "arn:aws:iam::111122223333:policy/missing";
    f.UserDetailList[0].GroupList.push("ghosts");
    f.UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn = "arn:aws:iam::111122223333:policy/nope";
    expect(new Set(refusal(f).problems.map((p) => `${p.path} ${p.code}`))).toEqual(
      new Set([
        "$.UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn NoSuchEntity",
        "$.UserDetailList[0].GroupList[1] NoSuchEntity",
        "$.GroupDetailList[1].AttachedManagedPolicies[0].PolicyArn NoSuchEntity",
      ]),
    );
  });

  it("refuses an ARN of another account, an id of the wrong kind, a default version not in the list, a paginated page", () => {
    const f = file();
    f.RoleDetailList[0].Arn = "arn:aws:iam::999999999999:role/service-role/lambda-exec";
    f.UserDetailList[0].UserId = "AGPAQ3EGRQ3ALICE00001";
    f.Policies[1].DefaultVersionId = "v9";
    f.IsTruncated = true;
    expect(refusal(f).problems.map((p) => p.path).sort()).toEqual(["$.IsTruncated", "$.Policies[1].DefaultVersionId", "$.RoleDetailList[0].Arn", "$.UserDetailList[0]"].sort());
  });

  it("reports AWS-managed policies iamgraph does not ship and leaves them out by default; refuses them with unknownAwsPolicies: refuse", () => {
    const f = file();
    f.UserDetailList[0].AttachedManagedPolicies.push({ PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" });
    const { state, unknownAwsPolicies } = parseSnapshot(JSON.stringify(f));
    expect(unknownAwsPolicies).toEqual([{ arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", path: "$.UserDetailList[0].AttachedManagedPolicies[0].PolicyArn" }]);
    expect(state.users[0]!.attached).toEqual([]);
    expect(refusal(f, { unknownAwsPolicies: "refuse" }).problems).toEqual([
      expect.objectContaining({ path: "$.UserDetailList[0].AttachedManagedPolicies[0].PolicyArn", code: "NoSuchEntity" }),
    ]);
  });

  it("reports every quota overrun by element (an account whose AWS quotas were raised): read by default, refused with overQuota: refuse", () => {
    const f = file();
    const many = Array.from({ length: 11 }, (_, i) => ({ PolicyName: `p${i}`, PolicyArn: `arn:aws:iam::111122223333:policy/p${i}` }));
    for (const [i, m] of many.entries()) {
      f.Policies.push({ PolicyName: m.PolicyName, PolicyId: `ANPAQ3EGRQ3EXTRA${String(i).padStart(5, "0")}`, Arn: m.PolicyArn, Path: "/", DefaultVersionId: "v1", CreateDate: "2023-01-01T00:00:00Z",
        PolicyVersionList: [{ Document: statement(), VersionId: "v1", IsDefaultVersion: true, CreateDate: "2023-01-01T00:00:00Z" }] });
    }
    f.UserDetailList[0].AttachedManagedPolicies = many;
    f.RoleDetailList[0].AttachedManagedPolicies = many;
    f.UserDetailList[0].UserPolicyList[0].PolicyDocument = statement({ Resource: Array.from({ length: 120 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) });
    // By default each is reported — path, quota, AWS's default, what the element holds — and read.
    const { state, overQuota } = parseSnapshot(JSON.stringify(f));
    expect(overQuota.map((q) => [q.path, q.quota, q.awsDefault, q.found, q.raisable])).toEqual([
      ["$.UserDetailList[0].AttachedManagedPolicies", "AttachedPoliciesPerUserQuota", 10, 11, true],
      ["$.UserDetailList[0].UserPolicyList", "UserPolicySizeQuota", 2048, expect.any(Number), false],
      ["$.RoleDetailList[0].AttachedManagedPolicies", "AttachedPoliciesPerRoleQuota", 10, 11, true],
    ]);
    expect(overQuota[1]!.found).toBeGreaterThan(2048);
    expect([state.users[0]!.attached.length, state.roles[0]!.attached.length]).toEqual([11, 11]);
    // Refusing, every one is a problem at its path, the quota named.
    const problems = refusal(f, { overQuota: "refuse" }).problems;
    expect(new Set(problems.map((p) => `${p.path} ${p.code}`))).toEqual(
      new Set(["$.UserDetailList[0].AttachedManagedPolicies LimitExceeded", "$.UserDetailList[0].UserPolicyList LimitExceeded", "$.RoleDetailList[0].AttachedManagedPolicies LimitExceeded"]),
    );
    expect(problems[0]!.message).toBe("11 attached policies; iamgraph's quota AttachedPoliciesPerUserQuota is 10, AWS's default (AWS raises it on request); --over-quota note imports it with the quota noted");
  });

  it("within every quota, nothing is reported", () => {
    expect(parseSnapshot(readSmallAccount()).overQuota).toEqual([]);
  });

  it("refuses two users of one name (ignoring case) or one id, at the second one's path", () => {
    const f = file();
    f.UserDetailList.push({ ...f.UserDetailList[0], UserName: "ALICE", UserId: "AIDAQ3EGRQ3ALICE00009", Arn: "arn:aws:iam::111122223333:user/ALICE" });
    f.GroupDetailList.push({ ...f.GroupDetailList[0], GroupName: "admins2", Arn: "arn:aws:iam::111122223333:group/admins2" });
    expect(refusal(f).problems.map((p) => [p.path, p.message])).toEqual([
      ["$.UserDetailList[2].UserName", "ALICE is also $.UserDetailList[0]'s name (names are unique in an account, ignoring case)"],
      ["$.GroupDetailList[2]", "id AGPAQ3EGRQ3ADMINS0001 is also $.GroupDetailList[0]'s"],
    ]);
  });
});

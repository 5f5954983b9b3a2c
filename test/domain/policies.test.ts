import { describe, it } from "vitest";
import type { EventOfType, IamEvent } from "../../events/catalogue.js";
import { decidePolicy, type PolicyCommand, type PolicyDecisionInput, type PolicyEvent } from "../../src/domain/policies/decide.js";
import { evolvePolicy, initialPolicyState } from "../../src/domain/policies/state.js";
import { MSG } from "../../src/policy/parse.js";
import { allowDocument, documentOfSize } from "./policy-documents.js";
import { accountId, deciderSpec, metadata } from "./spec.js";

const given = deciderSpec({
  initial: initialPolicyState,
  evolve: evolvePolicy,
  decide: decidePolicy,
  input: (policy, facts: Partial<PolicyDecisionInput>): PolicyDecisionInput => ({ ...facts, policy }),
});

const policyId = "ANPAREADS3000000001";
const arn = `arn:aws:iam::${accountId}:policy/ReadS3`;
const awsManagedArn = "arn:aws:iam::aws:policy/AdministratorAccess";
const doc = (n: number) => allowDocument(`s3:Action${n}`);

const created: PolicyEvent = {
  type: "PolicyCreated",
  data: { policyId, policyName: "ReadS3", path: "/", arn, description: "", versionId: "v1", document: doc(1), tags: [] },
};
const versionCreated = (n: number, setAsDefault = false): PolicyEvent => ({
  type: "PolicyVersionCreated",
  data: { policyId, arn, versionId: `v${n}`, document: doc(n), setAsDefault },
});
const defaultSet = (n: number, previous: number): PolicyEvent => ({
  type: "PolicyDefaultVersionSet",
  data: { policyId, arn, versionId: `v${n}`, previousVersionId: `v${previous}` },
});
const versionDeleted = (n: number): PolicyEvent => ({ type: "PolicyVersionDeleted", data: { policyId, arn, versionId: `v${n}` } });
const policyDeleted: PolicyEvent = { type: "PolicyDeleted", data: { policyId, policyName: "ReadS3", arn } };
/** v1 (default) plus v2..vN. */
const withVersions = (n: number): IamEvent[] => [created, ...Array.from({ length: n - 1 }, (_, i) => versionCreated(i + 2))];

const create = (over: Partial<Extract<PolicyCommand, { type: "CreatePolicy" }>> = {}): PolicyCommand => ({
  type: "CreatePolicy",
  policyName: "ReadS3",
  path: "/",
  policyDocument: doc(1),
  description: "",
  tags: [],
  ...over,
});
const createdNew = (over: Partial<EventOfType<"PolicyCreated">["data"]> = {}): EventOfType<"PolicyCreated"> => ({
  type: "PolicyCreated",
  data: { policyId: metadata.newId, policyName: "ReadS3", path: "/", arn, description: "", versionId: "v1", document: doc(1), tags: [], ...over },
});
const newVersion = (document: string, setAsDefault = false): PolicyCommand => ({ type: "CreatePolicyVersion", policyArn: arn, policyDocument: document, setAsDefault });
const manyTags = (count: number, prefix = "key") => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: "v" }));

describe("CreatePolicy", () => {
  it("creates the policy with v1 as its default version, the id from the metadata and an ARN with the path", () => {
    given()
      .when(create({ path: "/team/", description: "read buckets", tags: [{ key: "owner", value: "data" }] }))
      .then([
        createdNew({
          path: "/team/",
          arn: `arn:aws:iam::${accountId}:policy/team/ReadS3`,
          description: "read buckets",
          tags: [{ key: "owner", value: "data" }],
        }),
      ]);
  });

  it("refuses a name another policy holds, ignoring case (EntityAlreadyExists)", () => {
    given([], { nameTaken: true })
      .when(create({ policyName: "reads3" }))
      .thenFails("EntityAlreadyExists", "A policy called reads3 already exists. Duplicate names are not allowed.");
  });

  it("refuses the 1,501st customer-managed policy of the account", () => {
    given([], { policiesInAccount: 1499 }).when(create()).then([createdNew()]);
    given([], { policiesInAccount: 1500 }).when(create()).thenFails("LimitExceeded", "Cannot exceed quota for PoliciesPerAccount: 1500");
  });

  it("checks name (128 characters), path, description (1,000) and tags (50)", () => {
    given().when(create({ policyName: "p".repeat(128) })).then([createdNew({ policyName: "p".repeat(128), arn: `arn:aws:iam::${accountId}:policy/${"p".repeat(128)}` })]);
    given().when(create({ policyName: "p".repeat(129) })).thenFails("InvalidInput", /Member must have length between 1 and 128/);
    given().when(create({ policyName: "a b" })).thenFails("InvalidInput", /regular expression pattern/);
    given().when(create({ path: "team" })).thenFails("InvalidInput", /The specified value for path is invalid/);
    given().when(create({ description: "d".repeat(1001) })).thenFails("InvalidInput", /'description'/);
    given().when(create({ tags: manyTags(51) })).thenFails("LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50");
  });

  it.each([
    ["not JSON", "{", MSG.syntax],
    ["an unknown element", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Foo: 1 }] }), MSG.syntax],
    ["no Action", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }), MSG.actions],
    ["no Resource", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }), MSG.resources],
    ["an action without a vendor", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "GetObject", Resource: "*" }] }), MSG.vendor],
    ["a Principal (identity policies name none)", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] }), MSG.principalInIdentity],
    ["Version 2008-10-17 (managed policies need 2012-10-17)", JSON.stringify({ Version: "2008-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }), MSG.version],
    ["no Version", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }), MSG.version],
    ["two statements with one Sid", JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "s3:*", Resource: "*" }, { Sid: "A", Effect: "Deny", Action: "s3:*", Resource: "*" }] }), MSG.sid],
  ])("refuses a document with %s, passing AWS's reason through (MalformedPolicyDocument)", (_, policyDocument, reason) => {
    given().when(create({ policyDocument })).thenFails("MalformedPolicyDocument", reason);
  });

  it("refuses text outside TAB, LF, CR and U+0020–U+00FF as InvalidInput", () => {
    given().when(create({ policyDocument: allowDocument("s3:GetObject", "arn:aws:s3:::bücket/\u20ac") })).thenFails("InvalidInput", /policyDocument/);
  });

  it("accepts 6,144 characters not counting whitespace, however much whitespace surrounds them", () => {
    const policyDocument = documentOfSize(6144, 8);
    given().when(create({ policyDocument })).then([createdNew({ document: policyDocument })]);
  });

  it("refuses 6,145 characters not counting whitespace (LimitExceeded, PolicySize)", () => {
    given().when(create({ policyDocument: documentOfSize(6145) })).thenFails("LimitExceeded", "Cannot exceed quota for PolicySize: 6144");
  });
});

describe("CreatePolicyVersion", () => {
  it("adds v2 without moving the default", () => {
    given([created]).when(newVersion(doc(2))).then([versionCreated(2)]);
  });

  it("with SetAsDefault also moves the default, naming the previous default version", () => {
    given([created]).when(newVersion(doc(2), true)).then([versionCreated(2, true), defaultSet(2, 1)]);
    given([created, versionCreated(2, true), defaultSet(2, 1)]).when(newVersion(doc(3), true)).then([versionCreated(3, true), defaultSet(3, 2)]);
  });

  it("numbers versions v2, v3, v4, v5", () => {
    for (const n of [2, 3, 4, 5]) given(withVersions(n - 1)).when(newVersion(doc(n))).then([versionCreated(n)]);
  });

  it("refuses a sixth kept version (LimitExceeded; five are kept, one of them the default)", () => {
    given(withVersions(5))
      .when(newVersion(doc(6)))
      .thenFails("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
  });

  it("allows a new version once one is deleted, and never reuses a deleted version's id", () => {
    given([...withVersions(5), versionDeleted(3)]).when(newVersion(doc(6))).then([versionCreated(6)]);
    given([...withVersions(2), versionDeleted(2)]).when(newVersion(doc(3))).then([versionCreated(3)]);
    given([...withVersions(5), versionDeleted(5), versionDeleted(4), versionCreated(6)]).when(newVersion(doc(7))).then([versionCreated(7)]);
  });

  it("applies the managed document rules: reasons pass through, 6,145 characters are refused", () => {
    given([created]).when(newVersion("{")).thenFails("MalformedPolicyDocument", MSG.syntax);
    given([created]).when(newVersion(documentOfSize(6145))).thenFails("LimitExceeded", "Cannot exceed quota for PolicySize: 6144");
    const big = documentOfSize(6144, 4);
    given([created]).when(newVersion(big)).then([{ type: "PolicyVersionCreated", data: { policyId, arn, versionId: "v2", document: big, setAsDefault: false } }]);
  });

  it("refuses a policy that does not exist or was deleted (NoSuchEntity)", () => {
    given().when(newVersion(doc(2))).thenFails("NoSuchEntity", `Policy ${arn} was not found.`);
    given([created, policyDeleted]).when(newVersion(doc(2))).thenFails("NoSuchEntity", `Policy ${arn} was not found.`);
  });

  it("refuses an AWS-managed policy (UnmodifiableEntity)", () => {
    given([], { awsManaged: true })
      .when({ type: "CreatePolicyVersion", policyArn: awsManagedArn, policyDocument: doc(2), setAsDefault: true })
      .thenFails("UnmodifiableEntity", `Policy ${awsManagedArn} is an AWS managed policy and cannot be changed.`);
  });
});

describe("SetDefaultPolicyVersion", () => {
  const setDefault = (versionId: string): PolicyCommand => ({ type: "SetDefaultPolicyVersion", policyArn: arn, versionId });

  it("moves the default, naming the previous one", () => {
    given(withVersions(3)).when(setDefault("v3")).then([defaultSet(3, 1)]);
    given([...withVersions(3), defaultSet(3, 1)]).when(setDefault("v2")).then([defaultSet(2, 3)]);
  });

  it("changes nothing when the version already is the default", () => {
    given(withVersions(2)).when(setDefault("v1")).then([]);
  });

  it("refuses a version that never existed or was deleted (NoSuchEntity)", () => {
    given(withVersions(2)).when(setDefault("v9")).thenFails("NoSuchEntity", `Policy ${arn} version v9 does not exist or is not attachable.`);
    given([...withVersions(3), versionDeleted(2)]).when(setDefault("v2")).thenFails("NoSuchEntity", `Policy ${arn} version v2 does not exist or is not attachable.`);
  });

  it("refuses an AWS-managed policy and a missing one", () => {
    given([], { awsManaged: true }).when({ type: "SetDefaultPolicyVersion", policyArn: awsManagedArn, versionId: "v1" }).thenFails("UnmodifiableEntity");
    given().when(setDefault("v1")).thenFails("NoSuchEntity");
  });
});

describe("DeletePolicyVersion", () => {
  const deleteVersion = (versionId: string): PolicyCommand => ({ type: "DeletePolicyVersion", policyArn: arn, versionId });

  it("deletes a version that is not the default", () => {
    given(withVersions(3)).when(deleteVersion("v2")).then([versionDeleted(2)]);
  });

  it("never deletes the default version (DeleteConflict)", () => {
    given(withVersions(3)).when(deleteVersion("v1")).thenFails("DeleteConflict", "Cannot delete the default version of a policy.");
    given([...withVersions(3), defaultSet(3, 1)]).when(deleteVersion("v3")).thenFails("DeleteConflict");
    given([...withVersions(3), defaultSet(3, 1)]).when(deleteVersion("v1")).then([versionDeleted(1)]);
  });

  it("refuses a version that does not exist or is already deleted (NoSuchEntity)", () => {
    given(withVersions(2)).when(deleteVersion("v7")).thenFails("NoSuchEntity", `Policy ${arn} version v7 does not exist or is not attachable.`);
    given([...withVersions(3), versionDeleted(2)]).when(deleteVersion("v2")).thenFails("NoSuchEntity");
  });

  it("refuses an AWS-managed policy (UnmodifiableEntity)", () => {
    given([], { awsManaged: true }).when({ type: "DeletePolicyVersion", policyArn: awsManagedArn, versionId: "v1" }).thenFails("UnmodifiableEntity");
  });
});

describe("DeletePolicy", () => {
  const deletePolicy: PolicyCommand = { type: "DeletePolicy", policyArn: arn };

  it("deletes a policy nobody holds, with only its default version", () => {
    given([created], { attachmentCount: 0, boundaryUsageCount: 0 }).when(deletePolicy).then([policyDeleted]);
    given([...withVersions(3), versionDeleted(2), versionDeleted(3)]).when(deletePolicy).then([policyDeleted]);
  });

  it("refuses while it is attached to a user, group or role (DeleteConflict)", () => {
    given([created], { attachmentCount: 1 }).when(deletePolicy).thenFails("DeleteConflict", "Cannot delete a policy attached to entities.");
  });

  it("refuses while a user or role uses it as a permissions boundary (DeleteConflict)", () => {
    given([created], { boundaryUsageCount: 1 }).when(deletePolicy).thenFails("DeleteConflict", "Cannot delete a policy used as a permissions boundary.");
  });

  it("refuses while versions other than the default remain (DeleteConflict)", () => {
    given(withVersions(2))
      .when(deletePolicy)
      .thenFails(
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
  });

  it("refuses a policy that does not exist or is already deleted, and an AWS-managed one", () => {
    given().when(deletePolicy).thenFails("NoSuchEntity", `Policy ${arn} was not found.`);
    given([created, policyDeleted]).when(deletePolicy).thenFails("NoSuchEntity");
    given([], { awsManaged: true }).when({ type: "DeletePolicy", policyArn: awsManagedArn }).thenFails("UnmodifiableEntity");
  });
});

describe("TagPolicy and UntagPolicy", () => {
  const tag = (...tags: { key: string; value: string }[]): PolicyCommand => ({ type: "TagPolicy", policyArn: arn, tags });
  const tagged = (...tags: { key: string; value: string }[]): PolicyEvent => ({ type: "PolicyTagged", data: { policyId, tags } });

  it("adds tags, and overwrites a key that matches ignoring case without counting it twice", () => {
    given([created]).when(tag({ key: "owner", value: "data" })).then([tagged({ key: "owner", value: "data" })]);
    given([created, tagged(...manyTags(50))]).when(tag({ key: "KEY0", value: "w" })).then([tagged({ key: "KEY0", value: "w" })]);
  });

  it("refuses a 51st tag (TagsPerPolicy) and counts removed tags out", () => {
    given([created, tagged(...manyTags(50))]).when(tag({ key: "one-more", value: "v" })).thenFails("LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50");
    given([created, tagged(...manyTags(50)), { type: "PolicyUntagged", data: { policyId, tagKeys: ["KEY1"] } }])
      .when(tag({ key: "one-more", value: "v" }))
      .then([tagged({ key: "one-more", value: "v" })]);
  });

  it("removes tags by key", () => {
    given([created]).when({ type: "UntagPolicy", policyArn: arn, tagKeys: ["owner"] }).then([{ type: "PolicyUntagged", data: { policyId, tagKeys: ["owner"] } }]);
    given([created]).when({ type: "UntagPolicy", policyArn: arn, tagKeys: ["k".repeat(129)] }).thenFails("InvalidInput");
  });

  it("refuses an AWS-managed policy and a missing one", () => {
    given([], { awsManaged: true }).when({ type: "TagPolicy", policyArn: awsManagedArn, tags: [{ key: "a", value: "b" }] }).thenFails("UnmodifiableEntity");
    given([], { awsManaged: true }).when({ type: "UntagPolicy", policyArn: awsManagedArn, tagKeys: ["a"] }).thenFails("UnmodifiableEntity");
    given().when(tag({ key: "a", value: "b" })).thenFails("NoSuchEntity");
  });
});

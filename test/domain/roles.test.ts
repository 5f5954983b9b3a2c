import { describe, it } from "vitest";
import type { EventOfType, IamEvent } from "../../events/catalogue.js";
import { decideRole, type RoleCommand, type RoleDecisionInput } from "../../src/domain/roles/decide.js";
import { evolveRole, initialRoleState } from "../../src/domain/roles/state.js";
import { MSG } from "../../src/policy/parse.js";
import { allowDocument, trustDocument } from "./policy-documents.js";
import { accountId, deciderSpec, metadata } from "./spec.js";

const given = deciderSpec({
  initial: initialRoleState,
  evolve: evolveRole,
  decide: decideRole,
  input: (role, facts: Partial<RoleDecisionInput>): RoleDecisionInput => ({ ...facts, role }),
});

const roleId = "AROADEPLOY000000001";
const arn = (path: string, name: string) => `arn:aws:iam::${accountId}:role${path}${name}`;
const trust = trustDocument();
const created: IamEvent = {
  type: "RoleCreated",
  data: { roleId, roleName: "deploy", path: "/", arn: arn("/", "deploy"), description: "", maxSessionDuration: 3600, assumeRolePolicyDocument: trust, tags: [] },
};
const deleted: EventOfType<"RoleDeleted"> = { type: "RoleDeleted", data: { roleId, roleName: "deploy", arn: arn("/", "deploy") } };
const holder = { entityType: "role" as const, entityId: roleId, entityName: "deploy" };
const s3Read = `arn:aws:iam::${accountId}:policy/ReadS3`;
const attached: IamEvent = { type: "ManagedPolicyAttached", data: { ...holder, policyArn: s3Read, policyName: "ReadS3" } };
const detached: IamEvent = { type: "ManagedPolicyDetached", data: { ...holder, policyArn: s3Read, policyName: "ReadS3" } };
const inlinePut: IamEvent = { type: "InlinePolicyPut", data: { ...holder, policyName: "inline", document: allowDocument() } };
const inlineDeleted: IamEvent = { type: "InlinePolicyDeleted", data: { ...holder, policyName: "inline" } };
const boundaryPut: IamEvent = { type: "PermissionsBoundaryPut", data: { entityType: "role", entityId: roleId, entityName: "deploy", policyArn: s3Read } };

const create = (over: Partial<Extract<RoleCommand, { type: "CreateRole" }>> = {}): RoleCommand => ({
  type: "CreateRole",
  roleName: "deploy",
  path: "/",
  assumeRolePolicyDocument: trust,
  description: "",
  maxSessionDuration: 3600,
  tags: [],
  ...over,
});
const createdNew = (over: Partial<EventOfType<"RoleCreated">["data"]> = {}): EventOfType<"RoleCreated"> => ({
  type: "RoleCreated",
  data: {
    roleId: metadata.newId,
    roleName: "deploy",
    path: "/",
    arn: arn("/", "deploy"),
    description: "",
    maxSessionDuration: 3600,
    assumeRolePolicyDocument: trust,
    tags: [],
    ...over,
  },
});
const statement = (s: Record<string, unknown>, version = "2012-10-17") => JSON.stringify({ Version: version, Statement: [s] });

describe("CreateRole", () => {
  it("creates the role with its trust policy, the id from the metadata and an ARN with the path", () => {
    given()
      .when(create({ path: "/ci/", description: "deploys", maxSessionDuration: 43200, tags: [{ key: "team", value: "ops" }] }))
      .then([createdNew({ path: "/ci/", arn: arn("/ci/", "deploy"), description: "deploys", maxSessionDuration: 43200, tags: [{ key: "team", value: "ops" }] })]);
  });

  it("accepts a trust policy naming an AWS account, a federated provider, or in Version 2008-10-17", () => {
    for (const doc of [
      statement({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "sts:AssumeRole" }),
      statement({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" }),
      statement({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }, "2008-10-17"),
    ]) {
      given().when(create({ assumeRolePolicyDocument: doc })).then([createdNew({ assumeRolePolicyDocument: doc })]);
    }
  });

  it.each([
    ["no Principal", statement({ Effect: "Allow", Action: "sts:AssumeRole" }), MSG.trustNoPrincipal],
    ["a Resource", statement({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }), MSG.trustResource],
    ["an action other than sts:AssumeRole*", statement({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "s3:GetObject" }), MSG.trustActions],
    ["no Action", statement({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } }), MSG.actions],
    ["broken JSON", "{\"Version\":", MSG.syntax],
  ])("refuses a trust policy with %s (MalformedPolicyDocument, AWS's reason)", (_, assumeRolePolicyDocument, reason) => {
    given().when(create({ assumeRolePolicyDocument })).thenFails("MalformedPolicyDocument", reason);
  });

  it("refuses a trust policy over 2,048 characters not counting whitespace (LimitExceeded)", () => {
    const many = (n: number) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: Array.from({ length: n }, (_, i) => `arn:aws:iam::${String(i).padStart(12, "0")}:root`) }, Action: "sts:AssumeRole" }] });
    given().when(create({ assumeRolePolicyDocument: many(60) })).thenFails("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048");
  });

  it("refuses a name another role holds, ignoring case (EntityAlreadyExists)", () => {
    given([], { nameTaken: true }).when(create({ roleName: "DEPLOY" })).thenFails("EntityAlreadyExists", "Role with name DEPLOY already exists.");
  });

  it("refuses the 1,001st role of the account", () => {
    given([], { rolesInAccount: 999 }).when(create()).then([createdNew()]);
    given([], { rolesInAccount: 1000 }).when(create()).thenFails("LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000");
  });

  it("checks name (64), path, description (1,000), session duration (3,600–43,200 s) and tags (50)", () => {
    given().when(create({ roleName: "r".repeat(64) })).then([createdNew({ roleName: "r".repeat(64), arn: arn("/", "r".repeat(64)) })]);
    given().when(create({ roleName: "r".repeat(65) })).thenFails("InvalidInput", /Member must have length between 1 and 64/);
    given().when(create({ roleName: "a/b" })).thenFails("InvalidInput", /regular expression pattern/);
    given().when(create({ path: "/ci" })).thenFails("InvalidInput", /The specified value for path is invalid/);
    given().when(create({ description: "d".repeat(1001) })).thenFails("InvalidInput", /'description'/);
    given().when(create({ maxSessionDuration: 3599 })).thenFails("InvalidInput", /between 3600 and 43200/);
    given().when(create({ maxSessionDuration: 43201 })).thenFails("InvalidInput", /between 3600 and 43200/);
    given().when(create({ tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "" })) })).thenFails("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50");
  });
});

describe("UpdateAssumeRolePolicy", () => {
  const update = (policyDocument: string): RoleCommand => ({ type: "UpdateAssumeRolePolicy", roleName: "deploy", policyDocument });

  it("replaces the trust policy", () => {
    const next = trustDocument("lambda.amazonaws.com");
    given([created]).when(update(next)).then([{ type: "RoleAssumeRolePolicyUpdated", data: { roleId, assumeRolePolicyDocument: next } }]);
  });

  it("applies the trust policy rules", () => {
    given([created]).when(update(allowDocument())).thenFails("MalformedPolicyDocument", MSG.trustResource);
    given([created]).when(update(statement({ Effect: "Allow", Action: "sts:AssumeRole" }))).thenFails("MalformedPolicyDocument", MSG.trustNoPrincipal);
  });

  it("refuses a role that does not exist or was deleted", () => {
    given().when(update(trust)).thenFails("NoSuchEntity", "The role with name deploy cannot be found.");
    given([created, deleted]).when(update(trust)).thenFails("NoSuchEntity", "The role with name deploy cannot be found.");
  });
});

describe("DeleteRole", () => {
  const deleteRole: RoleCommand = { type: "DeleteRole", roleName: "deploy" };

  it("deletes a role holding no policies", () => {
    given([created]).when(deleteRole).then([deleted]);
  });

  it("refuses while a managed policy is attached (DeleteConflict)", () => {
    given([created, attached]).when(deleteRole).thenFails("DeleteConflict", "Cannot delete entity, must detach all policies first.");
  });

  it("refuses while an inline policy remains (DeleteConflict)", () => {
    given([created, inlinePut]).when(deleteRole).thenFails("DeleteConflict", "Cannot delete entity, must delete policies first.");
  });

  it("deletes once every policy is detached and deleted", () => {
    given([created, attached, inlinePut, detached, inlineDeleted]).when(deleteRole).then([deleted]);
  });

  it("is not blocked by a permissions boundary (the DeleteRole reference lists inline and attached policies only)", () => {
    given([created, boundaryPut]).when(deleteRole).then([deleted]);
  });

  it("refuses a role that does not exist or was already deleted", () => {
    given().when(deleteRole).thenFails("NoSuchEntity", "The role with name deploy cannot be found.");
    given([created, deleted]).when(deleteRole).thenFails("NoSuchEntity");
  });
});

describe("TagRole and UntagRole", () => {
  const tag = (...tags: { key: string; value: string }[]): RoleCommand => ({ type: "TagRole", roleName: "deploy", tags });
  const tagged = (...tags: { key: string; value: string }[]): EventOfType<"RoleTagged"> => ({ type: "RoleTagged", data: { roleId, tags } });
  const manyTags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `key${i}`, value: "v" }));

  it("adds tags, and overwrites a key that matches ignoring case without counting it twice", () => {
    given([created]).when(tag({ key: "team", value: "ops" })).then([tagged({ key: "team", value: "ops" })]);
    given([created, tagged(...manyTags(50))]).when(tag({ key: "KEY0", value: "w" })).then([tagged({ key: "KEY0", value: "w" })]);
  });

  it("refuses a 51st tag (TagsPerRole), counting tags given at creation and removed ones out", () => {
    const createdWithTags: IamEvent = { type: "RoleCreated", data: { ...(created.data as EventOfType<"RoleCreated">["data"]), tags: manyTags(50) } };
    given([createdWithTags]).when(tag({ key: "one-more", value: "v" })).thenFails("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50");
    given([createdWithTags, { type: "RoleUntagged", data: { roleId, tagKeys: ["KEY1"] } }]).when(tag({ key: "one-more", value: "v" })).then([tagged({ key: "one-more", value: "v" })]);
  });

  it("applies the shared tag rules: reserved aws: prefix, duplicate keys ignoring case, lengths", () => {
    given([created]).when(tag({ key: "aws:x", value: "v" })).thenFails("InvalidInput", "Tag keys starting with 'aws:' are reserved for AWS use: aws:x");
    given([created]).when(tag({ key: "Team", value: "a" }, { key: "team", value: "b" })).thenFails("InvalidInput", "Duplicate tag key: team. Tag keys are case insensitive.");
    given([created]).when({ type: "UntagRole", roleName: "deploy", tagKeys: ["k".repeat(129)] }).thenFails("InvalidInput");
  });

  it("removes tags by key; keys the role does not have are no error", () => {
    given([created]).when({ type: "UntagRole", roleName: "deploy", tagKeys: ["absent"] }).then([{ type: "RoleUntagged" as const, data: { roleId, tagKeys: ["absent"] } }]);
  });

  it("refuses a role that does not exist or was deleted", () => {
    given().when(tag({ key: "a", value: "b" })).thenFails("NoSuchEntity", "The role with name deploy cannot be found.");
    given([created, deleted]).when({ type: "UntagRole", roleName: "deploy", tagKeys: ["a"] }).thenFails("NoSuchEntity");
  });
});

describe("CreateRole with a permissions boundary", () => {
  const fence = { arn: `arn:aws:iam::${accountId}:policy/Fence`, name: "Fence" };

  it("sets the boundary in the same append as the creation", () => {
    given([], { boundaryPolicy: fence })
      .when(create({ permissionsBoundary: fence.arn }))
      .then([createdNew(), { type: "PermissionsBoundaryPut", data: { entityType: "role", entityId: metadata.newId, entityName: "deploy", policyArn: fence.arn } }]);
  });

  it("refuses a boundary that names no managed policy", () => {
    given().when(create({ permissionsBoundary: fence.arn })).thenFails("NoSuchEntity", `Policy ${fence.arn} does not exist or is not attachable.`);
  });
});

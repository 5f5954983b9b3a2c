import { describe, expect, it } from "vitest";
import type { IamEvent } from "../../events/catalogue.js";
import { decideGroup } from "../../src/domain/groups/decide.js";
import { decidePermissions } from "../../src/domain/permissions/decide.js";
import { evolveUser, initialUserState } from "../../src/domain/users/state.js";
import { evolvePolicy, initialPolicyState } from "../../src/domain/policies/state.js";
import { decidePolicy } from "../../src/domain/policies/decide.js";
import { decideRole } from "../../src/domain/roles/decide.js";
import type { CommandMetadata } from "../../src/domain/shared/command-metadata.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { decideUser } from "../../src/domain/users/decide.js";
import { policySizeWithoutWhitespace } from "../../src/policy/size.js";
import { allowDocument, documentOfSize, trustDocument } from "./policy-documents.js";
import { accountId, metadata } from "./spec.js";

// The one rule for going past a quota (src/domain/shared/quotas.ts): an ordinary command is
// refused at it; a snapshot import's command (metadata pastQuotas: "note", never set by the API)
// is decided as if the quota were not there, and its event records the excess — quota, limit
// and the value the change reaches. Each row is a quota and a change that goes one past it.

const noting: CommandMetadata = { ...metadata, pastQuotas: "note" };
const userId = "AIDAALICE0000000001";
const userCreated: IamEvent = { type: "UserCreated", data: { userId, userName: "alice", path: "/", arn: `arn:aws:iam::${accountId}:user/alice`, tags: [] } };
const inGroups = (n: number): IamEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: "UserAddedToGroup", data: { userId, userName: "alice", groupId: `AGPAGROUP${String(i).padStart(10, "0")}`, groupName: `g${i}` } }));
const alice = (...more: IamEvent[]) => [userCreated, ...more].reduce(evolveUser, initialUserState);
const policyArn = `arn:aws:iam::${accountId}:policy/P`;
const policyCreated: IamEvent = { type: "PolicyCreated", data: { policyId: "ANPAP00000000000001", policyName: "P", path: "/", arn: policyArn, description: "", versionId: "v1", document: allowDocument(), tags: [] } };
const versions = (n: number): IamEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: "PolicyVersionCreated", data: { policyId: "ANPAP00000000000001", arn: policyArn, versionId: `v${i + 2}`, document: allowDocument(), setAsDefault: false } }));
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
const holder = (attached: number, inline: [string, string][] = []) => ({
  id: userId,
  name: "alice",
  permissions: { attached: Array.from({ length: attached }, (_, i) => ({ policyArn: `${policyArn}${i}`, policyName: `P${i}` })), inline: new Map(inline), boundaryArn: undefined },
});
const bigTrust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: Array.from({ length: 60 }, (_, i) => `arn:aws:iam::${String(i).padStart(12, "0")}:root`) }, Action: "sts:AssumeRole" }] });
const createRole = (over: object = {}) => ({ type: "CreateRole" as const, roleName: "r", path: "/", assumeRolePolicyDocument: trustDocument(), description: "", maxSessionDuration: 3600, tags: [], ...over });

type Row = [string, (meta: CommandMetadata) => readonly { type: string; data: object }[], string, number, number];
const rows: Row[] = [
  ["UsersQuota", (m) => decideUser({ type: "CreateUser", userName: "bob", path: "/", tags: [] }, { user: { status: "absent" }, usersInAccount: 5000 }, m), "Cannot exceed quota for UsersPerAccount: 5000", 5000, 5001],
  ["TagsPerUser", (m) => decideUser({ type: "TagUser", userName: "alice", tags: [{ key: "one-more", value: "v" }] }, { user: alice({ type: "UserTagged", data: { userId, tags: tags(50) } }) }, m), "Cannot exceed quota for TagsPerUser: 50", 50, 51],
  ["GroupsPerUserQuota", (m) => decideUser({ type: "AddUserToGroup", userName: "alice", groupName: "g10" }, { user: alice(...inGroups(10)), group: { status: "active", groupId: "AGPAGROUPX000000000", groupName: "g10", path: "/", arn: "a", permissions: holder(0).permissions } as never }, m), "Cannot exceed quota for GroupsPerUser: 10", 10, 11],
  ["GroupsQuota", (m) => decideGroup({ type: "CreateGroup", groupName: "g", path: "/" }, { group: { status: "absent" }, groupsInAccount: 300 }, m), "Cannot exceed quota for GroupsPerAccount: 300", 300, 301],
  ["RolesQuota", (m) => decideRole(createRole(), { role: { status: "absent" }, rolesInAccount: 1000 }, m), "Cannot exceed quota for RolesPerAccount: 1000", 1000, 1001],
  ["AssumeRolePolicySizeQuota", (m) => decideRole(createRole({ assumeRolePolicyDocument: bigTrust }), { role: { status: "absent" } }, m), "Cannot exceed quota for ACLSizePerRole: 2048", 2048, policySizeWithoutWhitespace(bigTrust)],
  ["TagsPerRole", (m) => decideRole(createRole({ tags: tags(51) }), { role: { status: "absent" } }, m), "Cannot exceed quota for TagsPerRole: 50", 50, 51],
  ["PoliciesQuota", (m) => decidePolicy({ type: "CreatePolicy", policyName: "Q", path: "/", policyDocument: allowDocument(), description: "", tags: [] }, { policy: { status: "absent" }, policiesInAccount: 1500 }, m), "Cannot exceed quota for PoliciesPerAccount: 1500", 1500, 1501],
  ["PolicySizeQuota", (m) => decidePolicy({ type: "CreatePolicy", policyName: "Q", path: "/", policyDocument: documentOfSize(6145), description: "", tags: [] }, { policy: { status: "absent" } }, m), "Cannot exceed quota for PolicySize: 6144", 6144, 6145],
  ["VersionsPerPolicyQuota", (m) => decidePolicy({ type: "CreatePolicyVersion", policyArn, policyDocument: allowDocument(), setAsDefault: false }, { policy: [policyCreated, ...versions(4)].reduce(evolvePolicy, initialPolicyState) }, m), "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 5, 6],
  ["AttachedPoliciesPerUserQuota", (m) => decidePermissions({ type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: `${policyArn}X` }, { holder: holder(10), policy: { arn: `${policyArn}X`, name: "PX" } }, m), "Cannot exceed quota for PolicyAttachmentsPerUser: 10", 10, 11],
  ["UserPolicySizeQuota", (m) => decidePermissions({ type: "PutInlinePolicy", entityType: "user", entityName: "alice", policyName: "b", policyDocument: documentOfSize(1000) }, { holder: holder(0, [["a", documentOfSize(1100)]]) }, m), "Maximum policy size of 2048 bytes exceeded for user alice (quota UserPolicySize).", 2048, 2100],
];

describe("quotas: refused for every command, noted for an import's", () => {
  it.each(rows)("%s: refused at the quota without the import's allowance", (_quota, decide, message) => {
    let error: unknown;
    try {
      decide(metadata);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect([(error as DomainError).code, (error as DomainError).message]).toEqual(["LimitExceeded", message]);
  });

  it.each(rows)("%s: decided with pastQuotas note, the event carrying the excess", (quota, decide, _message, limit, value) => {
    const events = decide(noting);
    expect(events.length).toBeGreaterThan(0);
    const noted = events.flatMap((e) => ("quotaExceeded" in e.data ? (e.data.quotaExceeded as unknown[]) : []));
    expect(noted).toEqual([{ quota, limit, value }]);
  });

  it("within the quotas an import's event carries no quotaExceeded: nothing is noted that was not exceeded", () => {
    const events = decidePermissions({ type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: `${policyArn}X` }, { holder: holder(9), policy: { arn: `${policyArn}X`, name: "PX" } }, noting);
    expect(events).toEqual([{ type: "ManagedPolicyAttached", data: { entityType: "user", entityId: userId, entityName: "alice", policyArn: `${policyArn}X`, policyName: "PX" } }]);
  });

  it("the allowance covers quotas only: a bad document is refused for an import too", () => {
    expect(() => decidePolicy({ type: "CreatePolicy", policyName: "Q", path: "/", policyDocument: "{}", description: "", tags: [] }, { policy: { status: "absent" } }, noting)).toThrow(DomainError);
  });
});

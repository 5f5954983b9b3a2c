import { describe, it } from "vitest";
import type { EventOfType, IamEvent } from "../../events/catalogue.js";
import { decideGroup, type GroupDecisionInput } from "../../src/domain/groups/decide.js";
import { evolveGroup, initialGroupState } from "../../src/domain/groups/state.js";
import { decidePermissions, type PermissionsCommand, type PermissionsDecisionInput, type PermissionsEvent, type PermissionsHolderState } from "../../src/domain/permissions/decide.js";
import type { PermissionsHolder } from "../../src/domain/permissions/state.js";
import { evolveRole, initialRoleState } from "../../src/domain/roles/state.js";
import { decideUser, type UserDecisionInput } from "../../src/domain/users/decide.js";
import { evolveUser, initialUserState } from "../../src/domain/users/state.js";
import { MSG } from "../../src/policy/parse.js";
import { allowDocument, documentOfSize } from "./policy-documents.js";
import { accountId, deciderSpec } from "./spec.js";

// The permissions decider sees the holder (user, group or role) as the pipeline loaded it from
// the holder's own stream; the specs fold real holder streams so evolve is covered too.
type HolderState = { readonly holder: PermissionsHolderState | undefined };
const holders = {
  user: {
    id: "AIDAALICE0000000001",
    name: "alice",
    created: (): IamEvent => ({ type: "UserCreated", data: { userId: "AIDAALICE0000000001", userName: "alice", path: "/", arn: `arn:aws:iam::${accountId}:user/alice`, tags: [] } }),
    fold: (events: readonly IamEvent[]): HolderState => {
      const s = events.reduce(evolveUser, initialUserState);
      return { holder: s.status === "active" ? { id: s.userId, name: s.userName, permissions: s.permissions } : undefined };
    },
    inlineQuota: 2048,
    quotaName: "UserPolicySize",
  },
  group: {
    id: "AGPAADMINS000000001",
    name: "admins",
    created: (): IamEvent => ({ type: "GroupCreated", data: { groupId: "AGPAADMINS000000001", groupName: "admins", path: "/", arn: `arn:aws:iam::${accountId}:group/admins` } }),
    fold: (events: readonly IamEvent[]): HolderState => {
      const s = events.reduce(evolveGroup, initialGroupState);
      return { holder: s.status === "active" ? { id: s.groupId, name: s.groupName, permissions: s.permissions } : undefined };
    },
    inlineQuota: 5120,
    quotaName: "GroupPolicySize",
  },
  role: {
    id: "AROADEPLOY000000001",
    name: "deploy",
    created: (): IamEvent => ({
      type: "RoleCreated",
      data: { roleId: "AROADEPLOY000000001", roleName: "deploy", path: "/", arn: `arn:aws:iam::${accountId}:role/deploy`, description: "", maxSessionDuration: 3600, assumeRolePolicyDocument: "{}", tags: [] },
    }),
    fold: (events: readonly IamEvent[]): HolderState => {
      const s = events.reduce(evolveRole, initialRoleState);
      return { holder: s.status === "active" ? { id: s.roleId, name: s.roleName, permissions: s.permissions } : undefined };
    },
    inlineQuota: 10240,
    quotaName: "RolePolicySize",
  },
} as const;

const policyArn = (n: number) => `arn:aws:iam::${accountId}:policy/P${n}`;
const policy = (n: number) => ({ arn: policyArn(n), name: `P${n}` });

function specFor(kind: PermissionsHolder) {
  const h = holders[kind];
  const base = { entityType: kind, entityId: h.id, entityName: h.name };
  const given = deciderSpec({
    initial: [] as readonly IamEvent[],
    evolve: (events: readonly IamEvent[], e: IamEvent) => [...events, e],
    decide: (command: PermissionsCommand, input: PermissionsDecisionInput) => decidePermissions(command, input),
    input: (events, facts: Partial<PermissionsDecisionInput>): PermissionsDecisionInput => ({ ...h.fold(events), ...facts }),
  });
  const ev = {
    attached: (n: number): PermissionsEvent => ({ type: "ManagedPolicyAttached", data: { ...base, policyArn: policyArn(n), policyName: `P${n}` } }),
    detached: (n: number): PermissionsEvent => ({ type: "ManagedPolicyDetached", data: { ...base, policyArn: policyArn(n), policyName: `P${n}` } }),
    inlinePut: (policyName: string, document: string): PermissionsEvent => ({ type: "InlinePolicyPut", data: { ...base, policyName, document } }),
    inlineDeleted: (policyName: string): PermissionsEvent => ({ type: "InlinePolicyDeleted", data: { ...base, policyName } }),
  };
  const cmd = {
    attach: (n: number): PermissionsCommand => ({ type: "AttachPolicy", entityType: kind, entityName: h.name, policyArn: policyArn(n) }),
    detach: (n: number): PermissionsCommand => ({ type: "DetachPolicy", entityType: kind, entityName: h.name, policyArn: policyArn(n) }),
    put: (policyName: string, policyDocument: string): PermissionsCommand => ({ type: "PutInlinePolicy", entityType: kind, entityName: h.name, policyName, policyDocument }),
    deleteInline: (policyName: string): PermissionsCommand => ({ type: "DeleteInlinePolicy", entityType: kind, entityName: h.name, policyName }),
  };
  return { h, given, ev, cmd };
}

describe.each(["user", "group", "role"] as const)("permissions of a %s", (kind) => {
  const { h, given, ev, cmd } = specFor(kind);
  const created = h.created();
  const tenAttached = Array.from({ length: 10 }, (_, i) => ev.attached(i + 1));
  const quotaName = { user: "PolicyAttachmentsPerUser", group: "PolicyAttachmentsPerGroup", role: "PolicyAttachmentsPerRole" }[kind];

  describe("AttachPolicy", () => {
    it("attaches a managed policy", () => {
      given([created], { policy: policy(1) }).when(cmd.attach(1)).then([ev.attached(1)]);
    });

    it("attaches an AWS-managed policy under its own ARN and name", () => {
      const admin = { arn: "arn:aws:iam::aws:policy/AdministratorAccess", name: "AdministratorAccess" };
      given([created], { policy: admin })
        .when({ type: "AttachPolicy", entityType: kind, entityName: h.name, policyArn: admin.arn })
        .then([{ type: "ManagedPolicyAttached", data: { entityType: kind, entityId: h.id, entityName: h.name, policyArn: admin.arn, policyName: admin.name } }]);
    });

    it("changes nothing when the policy is already attached (AWS answers success)", () => {
      given([created, ev.attached(1)], { policy: policy(1) }).when(cmd.attach(1)).then([]);
      given([created, ...tenAttached], { policy: policy(3) }).when(cmd.attach(3)).then([]);
    });

    it("refuses an eleventh managed policy (LimitExceeded)", () => {
      given([created, ...tenAttached], { policy: policy(11) }).when(cmd.attach(11)).thenFails("LimitExceeded", `Cannot exceed quota for ${quotaName}: 10`);
    });

    it("allows another once one of the ten is detached", () => {
      given([created, ...tenAttached, ev.detached(4)], { policy: policy(11) }).when(cmd.attach(11)).then([ev.attached(11)]);
    });

    it("refuses a policy that does not exist (NoSuchEntity)", () => {
      given([created]).when(cmd.attach(1)).thenFails("NoSuchEntity", `Policy ${policyArn(1)} does not exist or is not attachable.`);
    });

    it(`refuses a ${kind} that does not exist (NoSuchEntity)`, () => {
      given([], { policy: policy(1) }).when(cmd.attach(1)).thenFails("NoSuchEntity", `The ${kind} with name ${h.name} cannot be found.`);
    });
  });

  describe("DetachPolicy", () => {
    it("detaches an attached policy", () => {
      given([created, ev.attached(1), ev.attached(2)]).when(cmd.detach(1)).then([ev.detached(1)]);
    });

    it("refuses a policy that is not attached, or no longer is (NoSuchEntity)", () => {
      given([created, ev.attached(2)]).when(cmd.detach(1)).thenFails("NoSuchEntity", `Policy ${policyArn(1)} was not found.`);
      given([created, ev.attached(1), ev.detached(1)]).when(cmd.detach(1)).thenFails("NoSuchEntity");
    });

    it(`refuses a ${kind} that does not exist`, () => {
      given().when(cmd.detach(1)).thenFails("NoSuchEntity", `The ${kind} with name ${h.name} cannot be found.`);
    });
  });

  describe("PutInlinePolicy", () => {
    it("creates the named inline policy, and replaces it with a new document", () => {
      const first = allowDocument("s3:GetObject");
      const second = allowDocument("s3:PutObject");
      given([created]).when(cmd.put("inline", first)).then([ev.inlinePut("inline", first)]);
      given([created, ev.inlinePut("inline", first)]).when(cmd.put("inline", second)).then([ev.inlinePut("inline", second)]);
    });

    it("changes nothing when the same document is put again", () => {
      given([created, ev.inlinePut("inline", allowDocument())]).when(cmd.put("inline", allowDocument())).then([]);
    });

    it("accepts Version 2008-10-17 and a missing Version (only managed policies need 2012-10-17)", () => {
      const legacy = JSON.stringify({ Version: "2008-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } });
      const noVersion = JSON.stringify({ Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } });
      given([created]).when(cmd.put("legacy", legacy)).then([ev.inlinePut("legacy", legacy)]);
      given([created]).when(cmd.put("noVersion", noVersion)).then([ev.inlinePut("noVersion", noVersion)]);
    });

    it.each([
      ["a Principal", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:*", Resource: "*" }] }), MSG.principalInIdentity],
      ["a NotPrincipal", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", NotPrincipal: { AWS: "*" }, Action: "s3:*", Resource: "*" }] }), MSG.principalInIdentity],
      ["no Resource", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }), MSG.resources],
      ["no Action", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }), MSG.actions],
      ["not JSON", "nope", MSG.syntax],
    ])("refuses an identity policy with %s (MalformedPolicyDocument, AWS's reason)", (_, document, reason) => {
      given([created]).when(cmd.put("bad", document)).thenFails("MalformedPolicyDocument", reason);
    });

    it("refuses an invalid policy name", () => {
      given([created]).when(cmd.put("a b", allowDocument())).thenFails("InvalidInput", /regular expression pattern/);
      given([created]).when(cmd.put("p".repeat(129), allowDocument())).thenFails("InvalidInput", /between 1 and 128/);
    });

    it(`accepts inline policies summing to ${h.inlineQuota} characters without whitespace`, () => {
      const a = documentOfSize(h.inlineQuota - 500, 2, "a");
      const b = documentOfSize(500, 6, "b");
      given([created, ev.inlinePut("a", a)]).when(cmd.put("b", b)).then([ev.inlinePut("b", b)]);
    });

    it(`refuses once the ${kind}'s inline policies sum past ${h.inlineQuota} (LimitExceeded, ${h.quotaName})`, () => {
      const a = documentOfSize(h.inlineQuota - 500, 0, "a");
      const b = documentOfSize(501, 0, "b");
      given([created, ev.inlinePut("a", a)])
        .when(cmd.put("b", b))
        .thenFails("LimitExceeded", `Maximum policy size of ${h.inlineQuota} bytes exceeded for ${kind} ${h.name} (quota ${h.quotaName}).`);
      given([created]).when(cmd.put("alone", documentOfSize(h.inlineQuota + 1))).thenFails("LimitExceeded");
    });

    it("counts a replaced inline policy of the same name once, with its new document", () => {
      const big = documentOfSize(h.inlineQuota - 200, 0, "a");
      const bigger = documentOfSize(h.inlineQuota - 100, 0, "b");
      given([created, ev.inlinePut("a", big)]).when(cmd.put("a", bigger)).then([ev.inlinePut("a", bigger)]);
    });

    it("frees the size of a deleted inline policy", () => {
      const big = documentOfSize(h.inlineQuota - 200, 0, "a");
      const next = documentOfSize(h.inlineQuota - 100, 0, "b");
      given([created, ev.inlinePut("a", big), ev.inlineDeleted("a")]).when(cmd.put("b", next)).then([ev.inlinePut("b", next)]);
    });

    it(`refuses a ${kind} that does not exist`, () => {
      given().when(cmd.put("inline", allowDocument())).thenFails("NoSuchEntity", `The ${kind} with name ${h.name} cannot be found.`);
    });
  });

  describe("DeleteInlinePolicy", () => {
    it("deletes the named inline policy", () => {
      given([created, ev.inlinePut("inline", allowDocument())]).when(cmd.deleteInline("inline")).then([ev.inlineDeleted("inline")]);
    });

    it("refuses a name the holder does not have, or no longer has (NoSuchEntity)", () => {
      given([created]).when(cmd.deleteInline("inline")).thenFails("NoSuchEntity", `The ${kind} policy with name inline cannot be found.`);
      given([created, ev.inlinePut("inline", allowDocument()), ev.inlineDeleted("inline")]).when(cmd.deleteInline("inline")).thenFails("NoSuchEntity");
    });
  });
});

describe.each(["user", "role"] as const)("permissions boundary of a %s", (kind) => {
  const { h, given } = specFor(kind);
  const created = h.created();
  const data = (n: number) => ({ entityType: kind, entityId: h.id, entityName: h.name, policyArn: policyArn(n) });
  const put = (n: number): PermissionsCommand => ({ type: "PutPermissionsBoundary", entityType: kind, entityName: h.name, policyArn: policyArn(n) });
  const del: PermissionsCommand = { type: "DeletePermissionsBoundary", entityType: kind, entityName: h.name };
  const boundaryPut = (n: number): PermissionsEvent => ({ type: "PermissionsBoundaryPut", data: data(n) });
  const boundaryDeleted = (n: number): PermissionsEvent => ({ type: "PermissionsBoundaryDeleted", data: data(n) });

  it("sets a boundary", () => {
    given([created], { policy: policy(1) }).when(put(1)).then([boundaryPut(1)]);
  });

  it("replaces the boundary (one per principal)", () => {
    given([created, boundaryPut(1)], { policy: policy(2) }).when(put(2)).then([boundaryPut(2)]);
  });

  it("changes nothing when the same boundary is put again", () => {
    given([created, boundaryPut(1)], { policy: policy(1) }).when(put(1)).then([]);
  });

  it("refuses a policy that does not exist (NoSuchEntity)", () => {
    given([created]).when(put(1)).thenFails("NoSuchEntity", `Policy ${policyArn(1)} does not exist or is not attachable.`);
  });

  it("deletes the boundary, naming the policy it was", () => {
    given([created, boundaryPut(1), boundaryPut(2)]).when(del).then([boundaryDeleted(2)]);
  });

  it("refuses to delete a boundary that is not set (NoSuchEntity)", () => {
    given([created]).when(del).thenFails("NoSuchEntity", `The ${kind} ${h.name} has no permissions boundary.`);
    given([created, boundaryPut(1), boundaryDeleted(1)]).when(del).thenFails("NoSuchEntity");
  });

  it(`refuses a ${kind} that does not exist`, () => {
    given([], { policy: policy(1) }).when(put(1)).thenFails("NoSuchEntity", `The ${kind} with name ${h.name} cannot be found.`);
  });

  it("is not counted against the ten managed policies", () => {
    const { given: g, ev, cmd } = specFor(kind);
    g([created, boundaryPut(20), ...Array.from({ length: 9 }, (_, i) => ev.attached(i + 1))], { policy: policy(10) })
      .when(cmd.attach(10))
      .then([ev.attached(10)]);
  });
});

describe("deleting a holder of policies", () => {
  const userSpec = deciderSpec({
    initial: initialUserState,
    evolve: evolveUser,
    decide: decideUser,
    input: (user, facts: Partial<UserDecisionInput>): UserDecisionInput => ({ ...facts, user }),
  });
  const groupSpec = deciderSpec({
    initial: initialGroupState,
    evolve: evolveGroup,
    decide: decideGroup,
    input: (group, facts: Partial<GroupDecisionInput>): GroupDecisionInput => ({ ...facts, group }),
  });
  const u = specFor("user");
  const g = specFor("group");
  const userDeleted: EventOfType<"UserDeleted"> = { type: "UserDeleted", data: { userId: holders.user.id, userName: "alice", arn: `arn:aws:iam::${accountId}:user/alice` } };
  const groupDeleted: EventOfType<"GroupDeleted"> = { type: "GroupDeleted", data: { groupId: holders.group.id, groupName: "admins", arn: `arn:aws:iam::${accountId}:group/admins` } };

  it("DeleteUser refuses while a managed policy is attached or an inline policy remains (DeleteConflict)", () => {
    userSpec([holders.user.created(), u.ev.attached(1)]).when({ type: "DeleteUser", userName: "alice" }).thenFails("DeleteConflict", "Cannot delete entity, must detach all policies first.");
    userSpec([holders.user.created(), u.ev.inlinePut("x", allowDocument())]).when({ type: "DeleteUser", userName: "alice" }).thenFails("DeleteConflict", "Cannot delete entity, must delete policies first.");
    userSpec([holders.user.created(), u.ev.attached(1), u.ev.detached(1)]).when({ type: "DeleteUser", userName: "alice" }).then([userDeleted]);
  });

  it("DeleteUser is not blocked by a permissions boundary (the DeleteUser API reference does not list it)", () => {
    const boundary: IamEvent = { type: "PermissionsBoundaryPut", data: { entityType: "user", entityId: holders.user.id, entityName: "alice", policyArn: policyArn(1) } };
    userSpec([holders.user.created(), boundary]).when({ type: "DeleteUser", userName: "alice" }).then([userDeleted]);
  });

  it("DeleteGroup refuses while a managed policy is attached or an inline policy remains (DeleteConflict)", () => {
    groupSpec([holders.group.created(), g.ev.attached(1)], { memberCount: 0 }).when({ type: "DeleteGroup", groupName: "admins" }).thenFails("DeleteConflict", "Cannot delete entity, must detach all policies first.");
    groupSpec([holders.group.created(), g.ev.inlinePut("x", allowDocument())]).when({ type: "DeleteGroup", groupName: "admins" }).thenFails("DeleteConflict", "Cannot delete entity, must delete policies first.");
    groupSpec([holders.group.created(), g.ev.inlinePut("x", allowDocument()), g.ev.inlineDeleted("x")]).when({ type: "DeleteGroup", groupName: "admins" }).then([groupDeleted]);
  });
});

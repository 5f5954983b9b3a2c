import { describe, expect, it } from "vitest";
import { diffAccount } from "../../src/snapshot/diff.js";
import type { AccountState } from "../../src/snapshot/model.js";
import { parseSnapshot } from "../../src/snapshot/parse-snapshot.js";
import { readSmallAccount } from "./snapshot-app.js";

// diffAccount is pure: given the state iamgraph holds and the file's, the commands that take one
// to the other, in an order each is valid in.

const small = (): AccountState => parseSnapshot(readSmallAccount()).state;
const empty: AccountState = { accountId: "111122223333", users: [], groups: [], roles: [], policies: [] };
const types = (s: AccountState, t: AccountState) => diffAccount(s, t).commands.map((c) => c.type);

describe("diffAccount", () => {
  it("equal states: no command", () => {
    expect(diffAccount(small(), small()).commands).toEqual([]);
  });

  it("from nothing: policies and their versions first, then entities, then what attaches them", () => {
    const order = types(empty, small());
    expect(order.slice(0, 3)).toEqual(["CreatePolicy", "CreatePolicyVersion", "CreatePolicy"]);
    expect(order.lastIndexOf("CreateRole")).toBeLessThan(order.indexOf("AddUserToGroup"));
    expect(order.indexOf("PutPermissionsBoundary")).toBeGreaterThan(order.lastIndexOf("CreatePolicy"));
  });

  it("an imported policy keeps AWS's first version id; later versions carry theirs, the default set on creation", () => {
    const [createPolicy, createVersion] = diffAccount(empty, small()).commands;
    expect(createPolicy).toMatchObject({ type: "CreatePolicy", imported: { id: "ANPAQ3EGRQ3DEPLOY0001", versionId: "v2" } });
    expect(createVersion).toMatchObject({ type: "CreatePolicyVersion", setAsDefault: true, imported: { versionId: "v3" } });
  });

  it("a new name under the same id is a rename, not a delete and a create", () => {
    const now = small();
    const renamed = { ...now, users: now.users.map((u) => (u.name === "alice" ? { ...u, name: "alicia", arn: u.arn.replace("alice", "alicia") } : u)) };
    expect(diffAccount(now, renamed).commands).toEqual([{ type: "UpdateUser", userName: "alice", newUserName: "alicia" }]);
  });

  it("everything gone: detached and emptied before deleted, policies last", () => {
    const order = types(small(), empty);
    expect(order.indexOf("DeleteUser")).toBeGreaterThan(order.lastIndexOf("RemoveUserFromGroup"));
    expect(order.indexOf("DeleteGroup")).toBeGreaterThan(order.lastIndexOf("DetachPolicy"));
    expect(order.at(-1)).toBe("DeletePolicy");
    expect(order.indexOf("DeletePolicyVersion")).toBeLessThan(order.indexOf("DeletePolicy"));
  });
});

import { describe, expect, it } from "vitest";
import type { Command } from "../../src/app/command.js";
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

  it("role tags changed: UntagRole for the keys gone, TagRole for the new and changed (as for users)", () => {
    const now = small();
    const target = { ...now, roles: now.roles.map((r) => ({ ...r, tags: [{ key: "team", value: "payments" }] })) };
    expect(diffAccount(now, target).commands).toEqual([
      { type: "UntagRole", roleName: "lambda-exec", tagKeys: ["owner"] },
      { type: "TagRole", roleName: "lambda-exec", tags: [{ key: "team", value: "payments" }] },
    ]);
  });

  describe("renames within a day: ordered so no name is held twice at any step", () => {
    const rename = <T extends { name: string; arn: string }>(e: T, name: string): T => ({ ...e, name, arn: e.arn.replace(/[^/]+$/, name) });
    const withUsers = (s: AccountState, names: Record<string, string>): AccountState => ({ ...s, users: s.users.map((u) => (names[u.name] ? rename(u, names[u.name]!) : u)) });
    /** Applies the UpdateUser/UpdateGroup commands to the names in order, failing on a step that takes a held name (ignoring case). */
    const replay = (names: readonly string[], commands: readonly Command[], type: "UpdateUser" | "UpdateGroup") => {
      const held = new Set(names.map((n) => n.toLowerCase()));
      const steps: string[] = [];
      for (const c of commands) {
        if (c.type !== type) continue;
        const [from, to] = c.type === "UpdateUser" ? [c.userName, c.newUserName] : c.type === "UpdateGroup" ? [c.groupName, c.newGroupName] : [];
        if (!to) continue;
        expect(held.has(to.toLowerCase()) && to.toLowerCase() !== from!.toLowerCase(), `${from} → ${to}: ${to} is held`).toBe(false);
        held.delete(from!.toLowerCase());
        held.add(to.toLowerCase());
        steps.push(`${from}→${to}`);
      }
      return { held, steps };
    };

    it("alice ↔ bob (same ids, names swapped): one steps aside to a temporary name, and each ends with the other's name", () => {
      const now = small();
      const swapped = withUsers(now, { alice: "bob", bob: "alice" });
      const { commands } = diffAccount(now, swapped);
      const { held, steps } = replay(["alice", "bob"], commands, "UpdateUser");
      expect(steps).toEqual(["alice→import-swap-AIDAQ3EGRQ3ALICE00001", "bob→alice", "import-swap-AIDAQ3EGRQ3ALICE00001→bob"]);
      expect(held).toEqual(new Set(["alice", "bob"]));
      // Only renames: the ids keep their memberships, policies and tags.
      expect(new Set(commands.map((c) => c.type))).toEqual(new Set(["UpdateUser"]));
    });

    it("a chain (alice → bob while bob → carol) renames the end first, with no temporary name", () => {
      const now = small();
      const { commands } = diffAccount(now, withUsers(now, { alice: "bob", bob: "carol" }));
      expect(replay(["alice", "bob"], commands, "UpdateUser").steps).toEqual(["bob→carol", "alice→bob"]);
    });

    it("a three-cycle and a case-only rename: one temporary name, every final name reached", () => {
      const base = small();
      const carol = { ...base.users[0]!, id: "AIDAQ3EGRQ3CAROL00003", name: "carol", arn: base.users[0]!.arn.replace("alice", "carol") };
      const now = { ...base, users: [...base.users, carol] };
      const target = withUsers(now, { alice: "bob", bob: "carol", carol: "Alice" });
      const { held, steps } = replay(["alice", "bob", "carol"], diffAccount(now, target).commands, "UpdateUser");
      expect(steps.filter((s) => s.includes("import-swap-"))).toHaveLength(2); // one member out and back
      expect(held).toEqual(new Set(["alice", "bob", "carol"]));
      expect(steps.at(-1)).toMatch(/→(bob|carol|Alice)$/);
    });

    it("a user renamed to the name of a user deleted the same day: the deletion goes first", () => {
      const now = small();
      const target = { ...now, users: [rename(now.users[1]!, "alice")] }; // alice gone, bob is now called alice
      const types = diffAccount(now, target).commands.map((c) => (c.type === "UpdateUser" ? `UpdateUser ${c.userName}→${c.newUserName}` : c.type === "DeleteUser" ? `DeleteUser ${c.userName}` : ""));
      expect(types.indexOf("DeleteUser alice")).toBeGreaterThanOrEqual(0);
      expect(types.indexOf("DeleteUser alice")).toBeLessThan(types.indexOf("UpdateUser bob→alice"));
    });

    it("groups swap names the same way (admins ↔ developers), memberships untouched", () => {
      const now = small();
      const target = { ...now, groups: now.groups.map((g) => rename(g, g.name === "admins" ? "developers" : "admins")) };
      const { commands } = diffAccount(now, target);
      expect(replay(["admins", "developers"], commands, "UpdateGroup").steps).toEqual([
        "admins→import-swap-AGPAQ3EGRQ3ADMINS0001", "developers→admins", "import-swap-AGPAQ3EGRQ3ADMINS0001→developers",
      ]);
      expect(commands.every((c) => c.type === "UpdateGroup")).toBe(true);
    });

    it("a role with a new name under the same id is refused: AWS cannot rename roles", () => {
      const now = small();
      const target = { ...now, roles: now.roles.map((r) => rename(r, "lambda-run")) };
      expect(() => diffAccount(now, target)).toThrow(/AWS cannot rename or move a role, so the file was edited/);
    });
  });
});

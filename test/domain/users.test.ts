import { describe, it } from "vitest";
import type { EventOfType, IamEvent } from "../../events/catalogue.js";
import { decideUser, type UserCommand, type UserDecisionInput } from "../../src/domain/users/decide.js";
import { evolveUser, initialUserState } from "../../src/domain/users/state.js";
import { accountId, deciderSpec, groupAfter, metadata } from "./spec.js";

const given = deciderSpec({
  initial: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
  input: (user, facts: Partial<UserDecisionInput>): UserDecisionInput => ({ ...facts, user }),
});

const userId = "AIDAALICE0000000001";
const arn = (path: string, name: string) => `arn:aws:iam::${accountId}:user${path}${name}`;
const created = (userName = "alice", path = "/"): IamEvent => ({
  type: "UserCreated",
  data: { userId, userName, path, arn: arn(path, userName), tags: [] },
});
const tagged = (...tags: { key: string; value: string }[]): IamEvent => ({ type: "UserTagged", data: { userId, tags } });
const deleted: IamEvent = { type: "UserDeleted", data: { userId, userName: "alice", arn: arn("/", "alice") } };

const groupId = (n: number) => `AGPAGROUP${String(n).padStart(10, "0")}`;
const groupCreated = (n: number, groupName = `group${n}`): IamEvent => ({
  type: "GroupCreated",
  data: { groupId: groupId(n), groupName, path: "/", arn: `arn:aws:iam::${accountId}:group/${groupName}` },
});
const admins = groupAfter(groupCreated(1, "admins"));
const membership = (n: number, groupName = `group${n}`) => ({ userId, userName: "alice", groupId: groupId(n), groupName });
const addedTo = (n: number, groupName?: string): IamEvent => ({ type: "UserAddedToGroup", data: membership(n, groupName) });
const removedFrom = (n: number, groupName?: string): IamEvent => ({ type: "UserRemovedFromGroup", data: membership(n, groupName) });

/** What CreateUser emits: the id is the one the command metadata brought. */
const createdNew = (userName = "alice", path = "/", tags: { key: string; value: string }[] = []): EventOfType<"UserCreated"> => ({
  type: "UserCreated",
  data: { userId: metadata.newId, userName, path, arn: arn(path, userName), tags },
});

const manyTags = (count: number, prefix = "key") => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: "v" }));
const create = (over: Partial<Extract<UserCommand, { type: "CreateUser" }>> = {}): UserCommand => ({
  type: "CreateUser",
  userName: "alice",
  path: "/",
  tags: [],
  ...over,
});

const lengthError = (value: string, field: string, max: number) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between 1 and ${max}`;
const patternError = (value: string, field: string) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`;
const pathError = (field = "path") =>
  `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`;

describe("CreateUser", () => {
  it("creates the user with the id from the command metadata and an ARN that includes the path", () => {
    given()
      .when(create({ userName: "alice", path: "/engineering/ops/", tags: [{ key: "team", value: "red" }] }))
      .then([
        {
          type: "UserCreated",
          data: {
            userId: metadata.newId,
            userName: "alice",
            path: "/engineering/ops/",
            arn: `arn:aws:iam::123456789012:user/engineering/ops/alice`,
            tags: [{ key: "team", value: "red" }],
          },
        },
      ]);
  });

  it("takes the new id from the metadata, so replaying the command gives the same event", () => {
    const meta = { ...metadata, newId: "AIDAREPLAYED00000042" };
    given()
      .when(create(), meta)
      .then([{ type: "UserCreated", data: { userId: "AIDAREPLAYED00000042", userName: "alice", path: "/", arn: arn("/", "alice"), tags: [] } }]);
  });

  it("accepts every character AWS allows in a name, and 64 characters", () => {
    given().when(create({ userName: "Az09+=,.@_-" })).then([createdNew("Az09+=,.@_-")]);
    given().when(create({ userName: "a".repeat(64) })).then([createdNew("a".repeat(64))]);
  });

  it.each([
    ["empty", ""],
    ["65 characters", "a".repeat(65)],
  ])("refuses a name that is %s (1 to 64)", (_, userName) => {
    given().when(create({ userName })).thenFails("InvalidInput", lengthError(userName, "userName", 64));
  });

  it.each(["bad name", "a/b", "a:b", "élodie", "a*"])("refuses the name %j (letters, digits and +=,.@_- only)", (userName) => {
    given().when(create({ userName })).thenFails("InvalidInput", patternError(userName, "userName"));
  });

  it.each(["division", "/division", "division/", "//", "/a b/", "/é/"])("refuses the path %j (must be / or /…/ of printable ASCII)", (path) => {
    given().when(create({ path })).thenFails("InvalidInput", pathError());
  });

  it("accepts a path of 512 characters and refuses 513", () => {
    const path512 = `/${"p".repeat(510)}/`;
    given().when(create({ path: path512 })).then([createdNew("alice", path512)]);
    const path513 = `/${"p".repeat(511)}/`;
    given().when(create({ path: path513 })).thenFails("InvalidInput", lengthError(path513, "path", 512));
  });

  it("refuses a name another user holds, ignoring case (the pipeline says whether it is taken)", () => {
    given([], { nameTaken: true }).when(create({ userName: "ALICE" })).thenFails("EntityAlreadyExists", "User with name ALICE already exists.");
  });

  it("validates the request before looking at what exists", () => {
    given([], { nameTaken: true }).when(create({ userName: "bad name" })).thenFails("InvalidInput");
  });

  it("refuses the 5001st user of an account", () => {
    given([], { usersInAccount: 4999 }).when(create()).then([createdNew()]);
    given([], { usersInAccount: 5000 }).when(create()).thenFails("LimitExceeded", "Cannot exceed quota for UsersPerAccount: 5000");
  });

  describe("tags", () => {
    it("accepts 50 tags and refuses 51", () => {
      given().when(create({ tags: manyTags(50) })).then([createdNew("alice", "/", manyTags(50))]);
      given().when(create({ tags: manyTags(51) })).thenFails("LimitExceeded", "Cannot exceed quota for TagsPerUser: 50");
    });

    it("accepts a key of 128 and a value of 256 characters, an empty value, and letters, digits, spaces and _.:/=+-@", () => {
      const tags = [
        { key: "k".repeat(128), value: "v".repeat(256) },
        { key: "empty", value: "" },
        { key: "Ünïcode key_.:/=+-@ 1", value: "välue _.:/=+-@ 2" },
      ];
      given().when(create({ tags })).then([createdNew("alice", "/", tags)]);
    });

    const v = "1 validation error detected:";
    it.each([
      ["an empty key", { key: "", value: "v" }, `${v} Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length between 1 and 128`],
      ["a key of 129 characters", { key: "k".repeat(129), value: "v" }, `${v} Value '${"k".repeat(129)}' at 'tags.2.member.key' failed to satisfy constraint: Member must have length between 1 and 128`],
      ["a value of 257 characters", { key: "k", value: "v".repeat(257) }, `${v} Value at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`],
      ["a key with a disallowed character", { key: "a*b", value: "v" }, `${v} Value at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`],
      ["a value with a disallowed character", { key: "k", value: "<script>" }, `${v} Value at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`],
      ["a key starting with aws:", { key: "aws:createdBy", value: "v" }, "Tag keys starting with 'aws:' are reserved for AWS use: aws:createdBy"],
      ["a key starting with AWS: in any case", { key: "AWS:createdBy", value: "v" }, "Tag keys starting with 'aws:' are reserved for AWS use: AWS:createdBy"],
    ])("refuses %s, naming the member", (_, tag, message) => {
      given().when(create({ tags: [{ key: "ok", value: "fine" }, tag] })).thenFails("InvalidInput", message);
    });

    it("refuses two keys that differ only in case (tag keys are case-insensitive)", () => {
      given()
        .when(create({ tags: [{ key: "Team", value: "a" }, { key: "team", value: "b" }] }))
        .thenFails("InvalidInput", "Duplicate tag key: team. Tag keys are case insensitive.");
    });
  });
});

describe("UpdateUser", () => {
  it("renames the user; the ARN follows the new name", () => {
    given([created("alice", "/ops/")])
      .when({ type: "UpdateUser", userName: "alice", newUserName: "alicia" })
      .then([{ type: "UserUpdated", data: { userId, userName: "alice", newUserName: "alicia", newPath: "/ops/", newArn: arn("/ops/", "alicia") } }]);
  });

  it("moves the user to a new path; the ARN follows the new path", () => {
    given([created()])
      .when({ type: "UpdateUser", userName: "alice", newPath: "/finance/" })
      .then([{ type: "UserUpdated", data: { userId, userName: "alice", newUserName: "alice", newPath: "/finance/", newArn: arn("/finance/", "alice") } }]);
  });

  it("changes only the case of the name (the pipeline does not count the user's own name as taken)", () => {
    given([created()])
      .when({ type: "UpdateUser", userName: "alice", newUserName: "Alice" })
      .then([{ type: "UserUpdated", data: { userId, userName: "alice", newUserName: "Alice", newPath: "/", newArn: arn("/", "Alice") } }]);
  });

  it("changes nothing when the name and path are already the given ones", () => {
    given([created()]).when({ type: "UpdateUser", userName: "alice", newUserName: "alice", newPath: "/" }).then([]);
    given([created()]).when({ type: "UpdateUser", userName: "alice" }).then([]);
  });

  it("refuses a new name another user holds", () => {
    given([created()], { nameTaken: true })
      .when({ type: "UpdateUser", userName: "alice", newUserName: "bob" })
      .thenFails("EntityAlreadyExists", "User with name bob already exists.");
  });

  it("refuses an invalid new name or new path", () => {
    given([created()]).when({ type: "UpdateUser", userName: "alice", newUserName: "a".repeat(65) }).thenFails("InvalidInput", lengthError("a".repeat(65), "newUserName", 64));
    given([created()]).when({ type: "UpdateUser", userName: "alice", newUserName: "a b" }).thenFails("InvalidInput", patternError("a b", "newUserName"));
    given([created()]).when({ type: "UpdateUser", userName: "alice", newPath: "finance" }).thenFails("InvalidInput", pathError("newPath"));
  });

  it("refuses a user that does not exist, or no longer does", () => {
    given().when({ type: "UpdateUser", userName: "alice", newUserName: "b" }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
    given([created(), deleted]).when({ type: "UpdateUser", userName: "alice", newUserName: "b" }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});

describe("DeleteUser", () => {
  it("deletes a user in no group, naming its current ARN", () => {
    const renamed: IamEvent = { type: "UserUpdated", data: { userId, userName: "alice", newUserName: "alicia", newPath: "/x/", newArn: arn("/x/", "alicia") } };
    given([created(), renamed])
      .when({ type: "DeleteUser", userName: "alicia" })
      .then([{ type: "UserDeleted", data: { userId, userName: "alicia", arn: arn("/x/", "alicia") } }]);
  });

  it("refuses while the user is still in a group (DeleteConflict)", () => {
    given([created(), addedTo(1)])
      .when({ type: "DeleteUser", userName: "alice" })
      .thenFails("DeleteConflict", "Cannot delete entity, must remove user from all groups first.");
  });

  it("deletes once the user has left every group", () => {
    given([created(), addedTo(1), removedFrom(1)])
      .when({ type: "DeleteUser", userName: "alice" })
      .then([{ type: "UserDeleted", data: { userId, userName: "alice", arn: arn("/", "alice") } }]);
  });

  it("refuses a user that does not exist, or was already deleted", () => {
    given().when({ type: "DeleteUser", userName: "alice" }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
    given([created(), deleted]).when({ type: "DeleteUser", userName: "alice" }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});

describe("TagUser", () => {
  it("adds tags", () => {
    given([created()])
      .when({ type: "TagUser", userName: "alice", tags: [{ key: "team", value: "red" }] })
      .then([{ type: "UserTagged", data: { userId, tags: [{ key: "team", value: "red" }] } }]);
  });

  it("overwrites a tag whose key matches ignoring case, without counting it twice toward the 50", () => {
    given([created(), tagged(...manyTags(49)), tagged({ key: "Team", value: "red" })])
      .when({ type: "TagUser", userName: "alice", tags: [{ key: "TEAM", value: "blue" }] })
      .then([{ type: "UserTagged", data: { userId, tags: [{ key: "TEAM", value: "blue" }] } }]);
  });

  it("refuses to go past 50 tags", () => {
    given([created(), tagged(...manyTags(50))])
      .when({ type: "TagUser", userName: "alice", tags: [{ key: "one-more", value: "v" }] })
      .thenFails("LimitExceeded", "Cannot exceed quota for TagsPerUser: 50");
  });

  it("counts removed tags out of the quota, whatever the case of the removed key", () => {
    const untagged: IamEvent = { type: "UserUntagged", data: { userId, tagKeys: ["KEY0"] } };
    given([created(), tagged(...manyTags(50)), untagged])
      .when({ type: "TagUser", userName: "alice", tags: [{ key: "one-more", value: "v" }] })
      .then([{ type: "UserTagged", data: { userId, tags: [{ key: "one-more", value: "v" }] } }]);
  });

  it("applies the same tag rules as CreateUser", () => {
    given([created()]).when({ type: "TagUser", userName: "alice", tags: [{ key: "aws:x", value: "v" }] }).thenFails("InvalidInput", /reserved for AWS use/);
    given([created()]).when({ type: "TagUser", userName: "alice", tags: [{ key: "k".repeat(129), value: "v" }] }).thenFails("InvalidInput", /between 1 and 128/);
    given([created()]).when({ type: "TagUser", userName: "alice", tags: [{ key: "k", value: "v".repeat(257) }] }).thenFails("InvalidInput", /less than or equal to 256/);
  });

  it("refuses a user that does not exist", () => {
    given().when({ type: "TagUser", userName: "alice", tags: [{ key: "k", value: "v" }] }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});

describe("UntagUser", () => {
  it("removes tags by key", () => {
    given([created(), tagged({ key: "team", value: "red" })])
      .when({ type: "UntagUser", userName: "alice", tagKeys: ["team"] })
      .then([{ type: "UserUntagged", data: { userId, tagKeys: ["team"] } }]);
  });

  it("refuses a key of 129 characters", () => {
    given([created()]).when({ type: "UntagUser", userName: "alice", tagKeys: ["k".repeat(129)] }).thenFails("InvalidInput", lengthError("k".repeat(129), "tagKeys.1", 128));
  });

  it("refuses a user that does not exist", () => {
    given().when({ type: "UntagUser", userName: "alice", tagKeys: ["team"] }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});

describe("AddUserToGroup", () => {
  it("adds the user to the group", () => {
    given([created()], { group: admins })
      .when({ type: "AddUserToGroup", userName: "alice", groupName: "admins" })
      .then([{ type: "UserAddedToGroup", data: membership(1, "admins") }]);
  });

  it("changes nothing when the user is already a member (AWS answers success)", () => {
    given([created(), addedTo(1, "admins")], { group: admins }).when({ type: "AddUserToGroup", userName: "alice", groupName: "admins" }).then([]);
  });

  const inTenGroups = [created(), ...Array.from({ length: 10 }, (_, i) => addedTo(i + 1))];

  it("refuses an eleventh group (GroupsPerUser is 10)", () => {
    given(inTenGroups, { group: groupAfter(groupCreated(11)) })
      .when({ type: "AddUserToGroup", userName: "alice", groupName: "group11" })
      .thenFails("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10");
  });

  it("still treats re-adding one of the ten as a no-op", () => {
    given(inTenGroups, { group: groupAfter(groupCreated(3)) }).when({ type: "AddUserToGroup", userName: "alice", groupName: "group3" }).then([]);
  });

  it("allows a new group once the user has left one of the ten", () => {
    given([...inTenGroups, removedFrom(4)], { group: groupAfter(groupCreated(11)) })
      .when({ type: "AddUserToGroup", userName: "alice", groupName: "group11" })
      .then([{ type: "UserAddedToGroup", data: membership(11) }]);
  });

  it("refuses a group that does not exist, or was deleted", () => {
    const groupDeleted: IamEvent = { type: "GroupDeleted", data: { groupId: groupId(1), groupName: "admins", arn: "x" } };
    given([created()], { group: { status: "absent" } })
      .when({ type: "AddUserToGroup", userName: "alice", groupName: "admins" })
      .thenFails("NoSuchEntity", "The group with name admins cannot be found.");
    given([created()], { group: groupAfter(groupCreated(1, "admins"), groupDeleted) })
      .when({ type: "AddUserToGroup", userName: "alice", groupName: "admins" })
      .thenFails("NoSuchEntity", "The group with name admins cannot be found.");
  });

  it("refuses a user that does not exist", () => {
    given([], { group: admins }).when({ type: "AddUserToGroup", userName: "alice", groupName: "admins" }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});

describe("RemoveUserFromGroup", () => {
  it("removes the user from the group", () => {
    given([created(), addedTo(1, "admins")], { group: admins })
      .when({ type: "RemoveUserFromGroup", userName: "alice", groupName: "admins" })
      .then([{ type: "UserRemovedFromGroup", data: membership(1, "admins") }]);
  });

  it("refuses when the user is not a member", () => {
    given([created()], { group: admins })
      .when({ type: "RemoveUserFromGroup", userName: "alice", groupName: "admins" })
      .thenFails("NoSuchEntity", "User alice is not in group admins.");
  });

  it("refuses a group or a user that does not exist", () => {
    given([created()], { group: { status: "absent" } })
      .when({ type: "RemoveUserFromGroup", userName: "alice", groupName: "admins" })
      .thenFails("NoSuchEntity", "The group with name admins cannot be found.");
    given([], { group: admins })
      .when({ type: "RemoveUserFromGroup", userName: "alice", groupName: "admins" })
      .thenFails("NoSuchEntity", "The user with name alice cannot be found.");
  });
});


describe("CreateUser with a permissions boundary", () => {
  const fence = { arn: `arn:aws:iam::${accountId}:policy/Fence`, name: "Fence" };

  it("sets the boundary in the same append as the creation, by PutUserPermissionsBoundary's rule", () => {
    given([], { boundaryPolicy: fence })
      .when(create({ userName: "alice", permissionsBoundary: fence.arn }))
      .then([createdNew("alice"), { type: "PermissionsBoundaryPut", data: { entityType: "user", entityId: metadata.newId, entityName: "alice", policyArn: fence.arn } }]);
  });

  it("refuses a boundary that names no managed policy, and creates nothing", () => {
    given().when(create({ userName: "alice", permissionsBoundary: fence.arn })).thenFails("NoSuchEntity", `Policy ${fence.arn} does not exist or is not attachable.`);
  });
});

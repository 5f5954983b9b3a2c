import { describe, it } from "vitest";
import type { EventOfType, IamEvent } from "../../events/catalogue.js";
import { decideGroup, type GroupCommand, type GroupDecisionInput } from "../../src/domain/groups/decide.js";
import { evolveGroup, initialGroupState } from "../../src/domain/groups/state.js";
import { accountId, deciderSpec, metadata } from "./spec.js";

const given = deciderSpec({
  initial: initialGroupState,
  evolve: evolveGroup,
  decide: decideGroup,
  input: (group, facts: Partial<GroupDecisionInput>): GroupDecisionInput => ({ ...facts, group }),
});

const groupId = "AGPAADMINS000000001";
const arn = (path: string, name: string) => `arn:aws:iam::${accountId}:group${path}${name}`;
const created = (groupName = "admins", path = "/"): IamEvent => ({ type: "GroupCreated", data: { groupId, groupName, path, arn: arn(path, groupName) } });
const deleted: IamEvent = { type: "GroupDeleted", data: { groupId, groupName: "admins", arn: arn("/", "admins") } };
/** What CreateGroup emits: the id is the one the command metadata brought. */
const createdNew = (groupName = "admins", path = "/"): EventOfType<"GroupCreated"> => ({
  type: "GroupCreated",
  data: { groupId: metadata.newId, groupName, path, arn: arn(path, groupName) },
});
const create = (over: Partial<Extract<GroupCommand, { type: "CreateGroup" }>> = {}): GroupCommand => ({ type: "CreateGroup", groupName: "admins", path: "/", ...over });

const lengthError = (value: string, field: string, max: number) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between 1 and ${max}`;
const patternError = (value: string, field: string) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`;
const pathError = (field = "path") =>
  `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`;

describe("CreateGroup", () => {
  it("creates the group with the id from the command metadata and an ARN that includes the path", () => {
    given()
      .when(create({ groupName: "admins", path: "/engineering/ops/" }))
      .then([{ type: "GroupCreated", data: { groupId: metadata.newId, groupName: "admins", path: "/engineering/ops/", arn: "arn:aws:iam::123456789012:group/engineering/ops/admins" } }]);
    given().when(create(), { ...metadata, newId: "AGPAREPLAYED0000042" }).then([
      { type: "GroupCreated", data: { groupId: "AGPAREPLAYED0000042", groupName: "admins", path: "/", arn: arn("/", "admins") } },
    ]);
  });

  it("accepts every character AWS allows in a name, and 128 characters (twice a user name's limit)", () => {
    given().when(create({ groupName: "Az09+=,.@_-" })).then([createdNew("Az09+=,.@_-")]);
    given().when(create({ groupName: "g".repeat(128) })).then([createdNew("g".repeat(128))]);
  });

  it.each([
    ["empty", ""],
    ["129 characters", "g".repeat(129)],
  ])("refuses a name that is %s (1 to 128)", (_, groupName) => {
    given().when(create({ groupName })).thenFails("InvalidInput", lengthError(groupName, "groupName", 128));
  });

  it.each(["bad name", "a/b", "a:b", "grüppe"])("refuses the name %j (letters, digits and +=,.@_- only)", (groupName) => {
    given().when(create({ groupName })).thenFails("InvalidInput", patternError(groupName, "groupName"));
  });

  it.each(["division", "/division", "division/", "/a b/"])("refuses the path %j", (path) => {
    given().when(create({ path })).thenFails("InvalidInput", pathError());
  });

  it("refuses a path longer than 512 characters", () => {
    const path = `/${"p".repeat(511)}/`;
    given().when(create({ path })).thenFails("InvalidInput", lengthError(path, "path", 512));
  });

  it("refuses a name another group holds, ignoring case", () => {
    given([], { nameTaken: true }).when(create({ groupName: "ADMINS" })).thenFails("EntityAlreadyExists", "Group with name ADMINS already exists.");
  });

  it("refuses the 301st group of an account", () => {
    given([], { groupsInAccount: 299 }).when(create()).then([createdNew()]);
    given([], { groupsInAccount: 300 }).when(create()).thenFails("LimitExceeded", "Cannot exceed quota for GroupsPerAccount: 300");
  });
});

describe("UpdateGroup", () => {
  it("renames the group; the ARN follows the new name", () => {
    given([created("admins", "/ops/")])
      .when({ type: "UpdateGroup", groupName: "admins", newGroupName: "operators" })
      .then([{ type: "GroupUpdated", data: { groupId, groupName: "admins", newGroupName: "operators", newPath: "/ops/", newArn: arn("/ops/", "operators") } }]);
  });

  it("moves the group to a new path; the ARN follows the new path", () => {
    given([created()])
      .when({ type: "UpdateGroup", groupName: "admins", newPath: "/it/" })
      .then([{ type: "GroupUpdated", data: { groupId, groupName: "admins", newGroupName: "admins", newPath: "/it/", newArn: arn("/it/", "admins") } }]);
  });

  it("follows earlier renames: the current name is the one to update", () => {
    const renamed: IamEvent = { type: "GroupUpdated", data: { groupId, groupName: "admins", newGroupName: "ops", newPath: "/", newArn: arn("/", "ops") } };
    given([created(), renamed])
      .when({ type: "UpdateGroup", groupName: "ops", newPath: "/x/" })
      .then([{ type: "GroupUpdated", data: { groupId, groupName: "ops", newGroupName: "ops", newPath: "/x/", newArn: arn("/x/", "ops") } }]);
  });

  it("changes nothing when the name and path are already the given ones", () => {
    given([created()]).when({ type: "UpdateGroup", groupName: "admins", newGroupName: "admins", newPath: "/" }).then([]);
    given([created()]).when({ type: "UpdateGroup", groupName: "admins" }).then([]);
  });

  it("refuses a new name another group holds", () => {
    given([created()], { nameTaken: true })
      .when({ type: "UpdateGroup", groupName: "admins", newGroupName: "devs" })
      .thenFails("EntityAlreadyExists", "Group with name devs already exists.");
  });

  it("refuses an invalid new name or new path", () => {
    given([created()]).when({ type: "UpdateGroup", groupName: "admins", newGroupName: "g".repeat(129) }).thenFails("InvalidInput", lengthError("g".repeat(129), "newGroupName", 128));
    given([created()]).when({ type: "UpdateGroup", groupName: "admins", newGroupName: "a b" }).thenFails("InvalidInput", patternError("a b", "newGroupName"));
    given([created()]).when({ type: "UpdateGroup", groupName: "admins", newPath: "it" }).thenFails("InvalidInput", pathError("newPath"));
  });

  it("refuses a group that does not exist, or was deleted", () => {
    given().when({ type: "UpdateGroup", groupName: "admins", newGroupName: "x" }).thenFails("NoSuchEntity", "The group with name admins cannot be found.");
    given([created(), deleted]).when({ type: "UpdateGroup", groupName: "admins", newGroupName: "x" }).thenFails("NoSuchEntity", "The group with name admins cannot be found.");
  });
});

describe("DeleteGroup", () => {
  it("deletes a group without members", () => {
    given([created()], { memberCount: 0 })
      .when({ type: "DeleteGroup", groupName: "admins" })
      .then([{ type: "GroupDeleted", data: { groupId, groupName: "admins", arn: arn("/", "admins") } }]);
  });

  it("refuses while the group has members (DeleteConflict)", () => {
    given([created()], { memberCount: 1 })
      .when({ type: "DeleteGroup", groupName: "admins" })
      .thenFails("DeleteConflict", "Cannot delete entity, must remove users from group first.");
  });

  it("refuses a group that does not exist, or was already deleted", () => {
    given().when({ type: "DeleteGroup", groupName: "admins" }).thenFails("NoSuchEntity", "The group with name admins cannot be found.");
    given([created(), deleted]).when({ type: "DeleteGroup", groupName: "admins" }).thenFails("NoSuchEntity", "The group with name admins cannot be found.");
  });
});

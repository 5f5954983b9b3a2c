import { describe, it } from "vitest";
import type { IamEvent } from "../../events/catalogue.js";
import { decideAccessKey, type AccessKeyCommand } from "../../src/domain/access-keys/decide.js";
import { decideUser, type UserCommand, type UserDecisionInput } from "../../src/domain/users/decide.js";
import { evolveUser, initialUserState, type UserState } from "../../src/domain/users/state.js";
import { accountId, deciderSpec } from "./spec.js";

const given = deciderSpec({
  initial: initialUserState,
  evolve: evolveUser,
  decide: (command: AccessKeyCommand, user: UserState) => decideAccessKey(command, user),
  input: (user: UserState) => user,
});
const givenUser = deciderSpec({
  initial: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
  input: (user, facts: Partial<UserDecisionInput>): UserDecisionInput => ({ ...facts, user }),
});

const userId = "AIDAALICE0000000001";
const owner = { userId, userName: "alice" };
const created: IamEvent = { type: "UserCreated", data: { userId, userName: "alice", path: "/", arn: `arn:aws:iam::${accountId}:user/alice`, tags: [] } };
const key1 = "AKIAAAAAAAAAAAAAAAA1";
const key2 = "AKIAAAAAAAAAAAAAAAA2";
const keyCreated = (accessKeyId: string): IamEvent => ({ type: "AccessKeyCreated", data: { ...owner, accessKeyId, status: "Active" } });
const keyDeleted = (accessKeyId: string): IamEvent => ({ type: "AccessKeyDeleted", data: { ...owner, accessKeyId } });
const deactivated = (accessKeyId: string): IamEvent => ({ type: "AccessKeyStatusChanged", data: { ...owner, accessKeyId, status: "Inactive" } });

describe("CreateAccessKey", () => {
  it("records the key's id and owner, never a secret", () =>
    given([created]).when({ type: "CreateAccessKey", userName: "alice", accessKeyId: key1 }).then([keyCreated(key1)] as never));

  it("allows two keys per user and refuses a third (AccessKeysPerUser quota)", () => {
    given([created, keyCreated(key1)]).when({ type: "CreateAccessKey", userName: "alice", accessKeyId: key2 }).then([keyCreated(key2)] as never);
    given([created, keyCreated(key1), keyCreated(key2)])
      .when({ type: "CreateAccessKey", userName: "alice", accessKeyId: "AKIAAAAAAAAAAAAAAAA3" })
      .thenFails("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2");
  });

  it("an inactive key still counts; a deleted one frees its slot", () => {
    given([created, keyCreated(key1), deactivated(key1), keyCreated(key2)])
      .when({ type: "CreateAccessKey", userName: "alice", accessKeyId: "AKIAAAAAAAAAAAAAAAA3" })
      .thenFails("LimitExceeded");
    given([created, keyCreated(key1), keyCreated(key2), keyDeleted(key1)])
      .when({ type: "CreateAccessKey", userName: "alice", accessKeyId: "AKIAAAAAAAAAAAAAAAA3" })
      .then([keyCreated("AKIAAAAAAAAAAAAAAAA3")] as never);
  });

  it("refuses for a user that does not exist or was deleted", () => {
    given([]).when({ type: "CreateAccessKey", userName: "alice", accessKeyId: key1 }).thenFails("NoSuchEntity", "The user with name alice cannot be found.");
    given([created, { type: "UserDeleted", data: { userId, userName: "alice", arn: "x" } }])
      .when({ type: "CreateAccessKey", userName: "alice", accessKeyId: key1 })
      .thenFails("NoSuchEntity");
  });
});

describe("UpdateAccessKey and DeleteAccessKey", () => {
  it("deactivates and reactivates; the same status again changes nothing", () => {
    given([created, keyCreated(key1)]).when({ type: "UpdateAccessKey", userName: "alice", accessKeyId: key1, status: "Inactive" }).then([deactivated(key1)] as never);
    given([created, keyCreated(key1), deactivated(key1)])
      .when({ type: "UpdateAccessKey", userName: "alice", accessKeyId: key1, status: "Active" })
      .then([{ type: "AccessKeyStatusChanged", data: { ...owner, accessKeyId: key1, status: "Active" } }] as never);
    given([created, keyCreated(key1)]).when({ type: "UpdateAccessKey", userName: "alice", accessKeyId: key1, status: "Active" }).then([]);
  });

  it("refuses a key the user does not hold, with AWS's message", () => {
    for (const command of [
      { type: "UpdateAccessKey", userName: "alice", accessKeyId: key2, status: "Inactive" },
      { type: "DeleteAccessKey", userName: "alice", accessKeyId: key2 },
    ] as const) {
      given([created, keyCreated(key1)]).when(command).thenFails("NoSuchEntity", `The Access Key with id ${key2} cannot be found.`);
    }
    given([created, keyCreated(key1), keyDeleted(key1)]).when({ type: "DeleteAccessKey", userName: "alice", accessKeyId: key1 }).thenFails("NoSuchEntity");
  });

  it("refuses an id that is not an access key id", () =>
    given([created]).when({ type: "DeleteAccessKey", userName: "alice", accessKeyId: "AKIA'; DROP TABLE" }).thenFails("InvalidInput"));
});

describe("DeleteUser", () => {
  const deleteUser: UserCommand = { type: "DeleteUser", userName: "alice" };
  it("refuses while the user holds access keys, active or not", () => {
    givenUser([created, keyCreated(key1)]).when(deleteUser).thenFails("DeleteConflict", "Cannot delete entity, must delete access keys first.");
    givenUser([created, keyCreated(key1), deactivated(key1)]).when(deleteUser).thenFails("DeleteConflict");
  });
  it("goes ahead once they are deleted", () =>
    givenUser([created, keyCreated(key1), keyDeleted(key1)]).when(deleteUser).then([{ type: "UserDeleted", data: { userId, userName: "alice", arn: `arn:aws:iam::${accountId}:user/alice` } }]));
});

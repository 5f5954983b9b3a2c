import type { EventOfType } from "../../../events/catalogue.js";
import { assertNever } from "../shared/assert-never.js";
import { DomainError, noSuchEntity } from "../shared/domain-error.js";
import type { UserState } from "../users/state.js";

export type AccessKeyStatus = "Active" | "Inactive";

/**
 * CreateAccessKey carries the id the issuer generated together with the secret (whose hash is
 * stored beside the events, never in them); the decider only checks the user's rules.
 */
export type AccessKeyCommand =
  | { readonly type: "CreateAccessKey"; readonly userName: string; readonly accessKeyId: string }
  | { readonly type: "UpdateAccessKey"; readonly userName: string; readonly accessKeyId: string; readonly status: AccessKeyStatus }
  | { readonly type: "DeleteAccessKey"; readonly userName: string; readonly accessKeyId: string };

export type AccessKeyEvent = EventOfType<"AccessKeyCreated" | "AccessKeyStatusChanged" | "AccessKeyDeleted">;

// AWS quota (reference_iam-quotas): access keys per user.
export const maxAccessKeysPerUser = 2;

/** Server-generated ids: AKIA + 16 characters of base32, 20 in all like AWS's. */
export const accessKeyIdPattern = /^AKIA[A-Z0-9]{16}$/;

export function decideAccessKey(command: AccessKeyCommand, user: UserState): AccessKeyEvent[] {
  if (!accessKeyIdPattern.test(command.accessKeyId)) {
    throw new DomainError("InvalidInput", `The specified value for accessKeyId is invalid. It must be an access key id (AKIA followed by 16 characters).`);
  }
  if (user.status !== "active") throw noSuchEntity(`The user with name ${command.userName} cannot be found.`);
  const { userId, userName } = user;
  const { accessKeyId } = command;
  switch (command.type) {
    case "CreateAccessKey":
      if (user.accessKeys.length >= maxAccessKeysPerUser) {
        throw new DomainError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${maxAccessKeysPerUser}`);
      }
      if (user.accessKeys.some((k) => k.accessKeyId === accessKeyId)) {
        throw new DomainError("EntityAlreadyExists", `The access key ${accessKeyId} already exists.`);
      }
      return [{ type: "AccessKeyCreated", data: { userId, userName, accessKeyId, status: "Active" } }];
    case "UpdateAccessKey": {
      const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
      if (!key) throw accessKeyNotFound(accessKeyId);
      if (key.status === command.status) return [];
      return [{ type: "AccessKeyStatusChanged", data: { userId, userName, accessKeyId, status: command.status } }];
    }
    case "DeleteAccessKey":
      if (!user.accessKeys.some((k) => k.accessKeyId === accessKeyId)) throw accessKeyNotFound(accessKeyId);
      return [{ type: "AccessKeyDeleted", data: { userId, userName, accessKeyId } }];
    default:
      return assertNever(command);
  }
}

// AWS's wording for UpdateAccessKey / DeleteAccessKey on a key the user does not hold.
const accessKeyNotFound = (accessKeyId: string) => noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);

import type { EventOfType } from "../../../events/catalogue.js";
import { parsePolicyDocument } from "../../policy/parse.js";
import { policySizeWithoutWhitespace, TRUST_POLICY_SIZE_QUOTA } from "../../policy/size.js";
import { assertNoPolicies } from "../permissions/state.js";
import { entityArn } from "../shared/arn.js";
import { assertNever } from "../shared/assert-never.js";
import type { CommandMetadata } from "../shared/command-metadata.js";
import { DomainError, invalidInput, noSuchEntity } from "../shared/domain-error.js";
import { checkName, checkPath, nameLimits } from "../shared/names.js";
import { createDateOf, type Imported } from "../shared/imported.js";
import { checkQuota, quotaNoted, type QuotaAllowance, type QuotaExceeded } from "../shared/quotas.js";
import { checkTagQuota, checkTags, type Tag } from "../shared/tags.js";
import type { RoleState } from "./state.js";

export type RoleCommand =
  | {
      readonly type: "CreateRole";
      readonly roleName: string;
      readonly path: string;
      readonly assumeRolePolicyDocument: string;
      readonly description: string;
      readonly maxSessionDuration: number;
      readonly tags: readonly Tag[];
      readonly imported?: Imported;
    }
  | { readonly type: "UpdateAssumeRolePolicy"; readonly roleName: string; readonly policyDocument: string }
  | { readonly type: "DeleteRole"; readonly roleName: string };

export type RoleEvent = EventOfType<"RoleCreated" | "RoleAssumeRolePolicyUpdated" | "RoleDeleted">;

export interface RoleDecisionInput {
  readonly role: RoleState;
  readonly nameTaken?: boolean;
  readonly rolesInAccount?: number;
}

export const maxRolesPerAccount = 1000;

const roleNotFound = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);

/** A trust policy: Principal required, Resource refused, sts actions only; at most 2,048 characters (AWS's default). */
function checkTrustPolicy(document: string, allowance: QuotaAllowance): QuotaExceeded[] {
  const parsed = parsePolicyDocument(document, "trust");
  if (!parsed.ok) throw new DomainError(parsed.code === "ValidationError" ? "InvalidInput" : "MalformedPolicyDocument", parsed.reason);
  const size = policySizeWithoutWhitespace(document);
  return checkQuota(allowance, "AssumeRolePolicySizeQuota", TRUST_POLICY_SIZE_QUOTA, size, `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE_QUOTA}`);
}

export function decideRole(command: RoleCommand, input: RoleDecisionInput, meta: CommandMetadata): RoleEvent[] {
  const { role } = input;
  switch (command.type) {
    case "CreateRole": {
      checkName("roleName", command.roleName, nameLimits.role);
      checkPath("path", command.path);
      checkTags(command.tags);
      if (command.description.length > 1000) invalidInputLength("description", 1000);
      if (command.maxSessionDuration < 3600 || command.maxSessionDuration > 43200) {
        throw invalidInput(
          `1 validation error detected: Value '${command.maxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
        );
      }
      const tagsPast = checkTagQuota(meta, [], command.tags, "TagsPerRole");
      const trustPast = checkTrustPolicy(command.assumeRolePolicyDocument, meta);
      if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `Role with name ${command.roleName} already exists.`);
      const rolesPast = checkQuota(meta, "RolesQuota", maxRolesPerAccount, (input.rolesInAccount ?? 0) + 1, `Cannot exceed quota for RolesPerAccount: ${maxRolesPerAccount}`);
      return [
        {
          type: "RoleCreated",
          data: {
            roleId: meta.newId,
            roleName: command.roleName,
            path: command.path,
            arn: entityArn(meta.accountId, "role", command.path, command.roleName),
            description: command.description,
            maxSessionDuration: command.maxSessionDuration,
            assumeRolePolicyDocument: command.assumeRolePolicyDocument,
            tags: [...command.tags],
            ...createDateOf(command.imported),
            ...quotaNoted([...tagsPast, ...trustPast, ...rolesPast]),
          },
        },
      ];
    }
    case "UpdateAssumeRolePolicy": {
      if (role.status !== "active") throw roleNotFound(command.roleName);
      const past = checkTrustPolicy(command.policyDocument, meta);
      return [{ type: "RoleAssumeRolePolicyUpdated", data: { roleId: role.roleId, assumeRolePolicyDocument: command.policyDocument, ...quotaNoted(past) } }];
    }
    case "DeleteRole": {
      if (role.status !== "active") throw roleNotFound(command.roleName);
      assertNoPolicies(role.permissions);
      return [{ type: "RoleDeleted", data: { roleId: role.roleId, roleName: role.roleName, arn: role.arn } }];
    }
    default:
      return assertNever(command);
  }
}

function invalidInputLength(field: string, max: number): never {
  throw invalidInput(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

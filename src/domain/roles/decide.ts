import type { EventOfType } from "../../../events/catalogue.js";
import { parsePolicyDocument } from "../../policy/parse.js";
import { policySizeWithoutWhitespace, TRUST_POLICY_SIZE_QUOTA } from "../../policy/size.js";
import { boundaryAtCreation } from "../permissions/decide.js";
import { assertNoPolicies } from "../permissions/state.js";
import { entityArn } from "../shared/arn.js";
import { assertNever } from "../shared/assert-never.js";
import type { CommandMetadata } from "../shared/command-metadata.js";
import { DomainError, invalidInput, noSuchEntity } from "../shared/domain-error.js";
import { checkName, checkPath, nameLimits } from "../shared/names.js";
import { createDateOf, type Imported } from "../shared/imported.js";
import { checkQuota, quotaNoted, type QuotaAllowance, type QuotaExceeded } from "../shared/quotas.js";
import { checkTagKeys, checkTagQuota, checkTags, type Tag } from "../shared/tags.js";
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
      /** The managed policy's ARN to set as the new role's permissions boundary. */
      readonly permissionsBoundary?: string;
      readonly imported?: Imported;
    }
  | { readonly type: "UpdateAssumeRolePolicy"; readonly roleName: string; readonly policyDocument: string }
  | { readonly type: "TagRole"; readonly roleName: string; readonly tags: readonly Tag[] }
  | { readonly type: "UntagRole"; readonly roleName: string; readonly tagKeys: readonly string[] }
  | { readonly type: "DeleteRole"; readonly roleName: string };

export type RoleEvent = EventOfType<"RoleCreated" | "RoleAssumeRolePolicyUpdated" | "RoleTagged" | "RoleUntagged" | "RoleDeleted" | "PermissionsBoundaryPut">;

export interface RoleDecisionInput {
  readonly role: RoleState;
  readonly nameTaken?: boolean;
  readonly rolesInAccount?: number;
  /** CreateRole with a permissions boundary: the managed policy it names, if it exists. */
  readonly boundaryPolicy?: { readonly arn: string; readonly name: string };
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
        ...boundaryAtCreation("role", { id: meta.newId, name: command.roleName }, command.permissionsBoundary, input.boundaryPolicy),
      ];
    }
    case "UpdateAssumeRolePolicy": {
      if (role.status !== "active") throw roleNotFound(command.roleName);
      const past = checkTrustPolicy(command.policyDocument, meta);
      return [{ type: "RoleAssumeRolePolicyUpdated", data: { roleId: role.roleId, assumeRolePolicyDocument: command.policyDocument, ...quotaNoted(past) } }];
    }
    // The same tag rules and 50-tag quota as TagUser (AWS: TagsPerRole); input is checked before
    // the role is looked up, as AWS validates the request first.
    case "TagRole": {
      checkTags(command.tags);
      if (role.status !== "active") throw roleNotFound(command.roleName);
      const past = checkTagQuota(meta, role.tags, command.tags, "TagsPerRole"); // refuses past the quota, unless an import notes it
      return [{ type: "RoleTagged", data: { roleId: role.roleId, tags: [...command.tags], ...quotaNoted(past) } }];
    }
    case "UntagRole": {
      checkTagKeys(command.tagKeys);
      if (role.status !== "active") throw roleNotFound(command.roleName);
      return [{ type: "RoleUntagged", data: { roleId: role.roleId, tagKeys: [...command.tagKeys] } }];
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

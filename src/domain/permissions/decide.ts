import type { EventOfType } from "../../../events/catalogue.js";
import { parsePolicyDocument } from "../../policy/parse.js";
import { INLINE_POLICIES_SIZE_QUOTA, inlinePoliciesSize } from "../../policy/size.js";
import { assertNever } from "../shared/assert-never.js";
import { DomainError, noSuchEntity } from "../shared/domain-error.js";
import { checkName, nameLimits } from "../shared/names.js";
import { checkQuota, quotaNoted, type QuotaAllowance } from "../shared/quotas.js";
import { noPermissions, type PermissionsHolder, type PermissionsState } from "./state.js";

export type PermissionsCommand =
  | { readonly type: "AttachPolicy"; readonly entityType: PermissionsHolder; readonly entityName: string; readonly policyArn: string }
  | { readonly type: "DetachPolicy"; readonly entityType: PermissionsHolder; readonly entityName: string; readonly policyArn: string }
  | {
      readonly type: "PutInlinePolicy";
      readonly entityType: PermissionsHolder;
      readonly entityName: string;
      readonly policyName: string;
      readonly policyDocument: string;
    }
  | { readonly type: "DeleteInlinePolicy"; readonly entityType: PermissionsHolder; readonly entityName: string; readonly policyName: string }
  | { readonly type: "PutPermissionsBoundary"; readonly entityType: "user" | "role"; readonly entityName: string; readonly policyArn: string }
  | { readonly type: "DeletePermissionsBoundary"; readonly entityType: "user" | "role"; readonly entityName: string };

export type PermissionsEvent = EventOfType<
  "ManagedPolicyAttached" | "ManagedPolicyDetached" | "InlinePolicyPut" | "InlinePolicyDeleted" | "PermissionsBoundaryPut" | "PermissionsBoundaryDeleted"
>;

/** The holder as the pipeline loaded it, or undefined when no entity has that name. */
export interface PermissionsHolderState {
  readonly id: string;
  readonly name: string;
  readonly permissions: PermissionsState;
}

export interface PermissionsDecisionInput {
  readonly holder: PermissionsHolderState | undefined;
  /** Attach / boundary: the managed policy named by ARN, if it exists (customer or AWS-managed). */
  readonly policy?: { readonly arn: string; readonly name: string } | undefined;
}

// AWS quotas (reference_iam-quotas): 10 managed policies per user, group and role.
export const maxAttachedPolicies = 10;

const entityNoun: Record<PermissionsHolder, string> = { user: "user", group: "group", role: "role" };

/** `allowance`: the command's metadata — a snapshot import may go past the attachment and inline-size quotas (quotas.ts). */
export function decidePermissions(command: PermissionsCommand, input: PermissionsDecisionInput, allowance: QuotaAllowance = {}): PermissionsEvent[] {
  const holder = input.holder;
  const noun = entityNoun[command.entityType];
  if (!holder) throw noSuchEntity(`The ${noun} with name ${command.entityName} cannot be found.`);
  const base = { entityType: command.entityType, entityId: holder.id, entityName: holder.name };
  const state = holder.permissions;
  switch (command.type) {
    case "AttachPolicy": {
      const policy = input.policy;
      if (!policy) throw noSuchEntity(`Policy ${command.policyArn} does not exist or is not attachable.`);
      if (state.attached.some((a) => a.policyArn === policy.arn)) return []; // AWS: attaching again is a no-op
      const quota = { user: "PolicyAttachmentsPerUser", group: "PolicyAttachmentsPerGroup", role: "PolicyAttachmentsPerRole" }[command.entityType];
      const summaryKey = ({ user: "AttachedPoliciesPerUserQuota", group: "AttachedPoliciesPerGroupQuota", role: "AttachedPoliciesPerRoleQuota" } as const)[command.entityType];
      const past = checkQuota(allowance, summaryKey, maxAttachedPolicies, state.attached.length + 1, `Cannot exceed quota for ${quota}: ${maxAttachedPolicies}`);
      return [{ type: "ManagedPolicyAttached", data: { ...base, policyArn: policy.arn, policyName: policy.name, ...quotaNoted(past) } }];
    }
    case "DetachPolicy": {
      const attached = state.attached.find((a) => a.policyArn === command.policyArn);
      if (!attached) throw noSuchEntity(`Policy ${command.policyArn} was not found.`);
      return [{ type: "ManagedPolicyDetached", data: { ...base, policyArn: attached.policyArn, policyName: attached.policyName } }];
    }
    case "PutInlinePolicy": {
      checkName("policyName", command.policyName, nameLimits.policy);
      const parsed = parsePolicyDocument(command.policyDocument, "identity");
      if (!parsed.ok) throw new DomainError(parsed.code === "ValidationError" ? "InvalidInput" : "MalformedPolicyDocument", parsed.reason);
      // AWS sums every inline policy of the entity, whitespace not counted.
      const others = [...state.inline].filter(([name]) => name !== command.policyName).map(([, doc]) => doc);
      const quota = INLINE_POLICIES_SIZE_QUOTA[command.entityType];
      const name = ({ user: "UserPolicySize", group: "GroupPolicySize", role: "RolePolicySize" } as const)[command.entityType];
      const size = inlinePoliciesSize([...others, command.policyDocument]);
      const past = checkQuota(allowance, `${name}Quota`, quota, size, `Maximum policy size of ${quota} bytes exceeded for ${noun} ${holder.name} (quota ${name}).`);
      if (state.inline.get(command.policyName) === command.policyDocument) return [];
      return [{ type: "InlinePolicyPut", data: { ...base, policyName: command.policyName, document: command.policyDocument, ...quotaNoted(past) } }];
    }
    case "DeleteInlinePolicy": {
      if (!state.inline.has(command.policyName)) {
        throw noSuchEntity(`The ${noun} policy with name ${command.policyName} cannot be found.`);
      }
      return [{ type: "InlinePolicyDeleted", data: { ...base, policyName: command.policyName } }];
    }
    case "PutPermissionsBoundary": {
      const policy = input.policy;
      if (!policy) throw noSuchEntity(`Policy ${command.policyArn} does not exist or is not attachable.`);
      if (state.boundaryArn === policy.arn) return [];
      return [{ type: "PermissionsBoundaryPut", data: { entityType: command.entityType, entityId: holder.id, entityName: holder.name, policyArn: policy.arn } }];
    }
    case "DeletePermissionsBoundary": {
      if (!state.boundaryArn) throw noSuchEntity(`The ${noun} ${holder.name} has no permissions boundary.`);
      return [
        { type: "PermissionsBoundaryDeleted", data: { entityType: command.entityType, entityId: holder.id, entityName: holder.name, policyArn: state.boundaryArn } },
      ];
    }
    default:
      return assertNever(command);
  }
}

/**
 * CreateUser / CreateRole with PermissionsBoundary: the boundary is set by the same rule as
 * PutUserPermissionsBoundary / PutRolePermissionsBoundary, on the entity the creation makes, and
 * its event is appended with the creation's — one append, so nobody ever sees the entity unbounded.
 */
export function boundaryAtCreation(
  entityType: "user" | "role",
  entity: { readonly id: string; readonly name: string },
  policyArn: string | undefined,
  policy: PermissionsDecisionInput["policy"],
): EventOfType<"PermissionsBoundaryPut">[] {
  if (policyArn === undefined) return [];
  const holder = { id: entity.id, name: entity.name, permissions: noPermissions };
  // PutPermissionsBoundary decides nothing but PermissionsBoundaryPut (or a refusal).
  return decidePermissions({ type: "PutPermissionsBoundary", entityType, entityName: entity.name, policyArn }, { holder, policy }) as EventOfType<"PermissionsBoundaryPut">[];
}

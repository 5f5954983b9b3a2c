import type { EventOfType } from "../../../events/catalogue.js";
import { parsePolicyDocument } from "../../policy/parse.js";
import { MANAGED_POLICY_SIZE_QUOTA, policySizeWithoutWhitespace } from "../../policy/size.js";
import { entityArn } from "../shared/arn.js";
import { assertNever } from "../shared/assert-never.js";
import type { CommandMetadata } from "../shared/command-metadata.js";
import { DomainError, invalidInput, noSuchEntity } from "../shared/domain-error.js";
import { checkName, checkPath, nameLimits } from "../shared/names.js";
import { createDateOf, versionNumber, type Imported, type ImportedVersion } from "../shared/imported.js";
import { checkQuota, quotaNoted, type QuotaAllowance, type QuotaExceeded } from "../shared/quotas.js";
import { checkTagKeys, checkTags, mergeTags, type Tag } from "../shared/tags.js";
import type { PolicyState } from "./state.js";

export type PolicyCommand =
  | {
      readonly type: "CreatePolicy";
      readonly policyName: string;
      readonly path: string;
      readonly policyDocument: string;
      readonly description: string;
      readonly tags: readonly Tag[];
      /** An imported policy: its id and create date, and the AWS version id of its first version. */
      readonly imported?: Imported & { readonly versionId: string; readonly versionCreateDate: string };
    }
  | {
      readonly type: "CreatePolicyVersion";
      readonly policyArn: string;
      readonly policyDocument: string;
      readonly setAsDefault: boolean;
      readonly imported?: ImportedVersion;
    }
  | { readonly type: "SetDefaultPolicyVersion"; readonly policyArn: string; readonly versionId: string }
  | { readonly type: "DeletePolicyVersion"; readonly policyArn: string; readonly versionId: string }
  | { readonly type: "DeletePolicy"; readonly policyArn: string }
  | { readonly type: "TagPolicy"; readonly policyArn: string; readonly tags: readonly Tag[] }
  | { readonly type: "UntagPolicy"; readonly policyArn: string; readonly tagKeys: readonly string[] };

export type PolicyEvent = EventOfType<
  "PolicyCreated" | "PolicyVersionCreated" | "PolicyDefaultVersionSet" | "PolicyVersionDeleted" | "PolicyDeleted" | "PolicyTagged" | "PolicyUntagged"
>;

export interface PolicyDecisionInput {
  readonly policy: PolicyState;
  /** The ARN names an AWS-managed policy: it exists but nobody may change it. */
  readonly awsManaged?: boolean;
  readonly nameTaken?: boolean;
  readonly policiesInAccount?: number;
  /** DeletePolicy: users, groups and roles it is attached to, and principals using it as a boundary. */
  readonly attachmentCount?: number;
  readonly boundaryUsageCount?: number;
}

// AWS quotas (reference_iam-quotas).
export const maxPolicyVersions = 5;
export const maxCustomerPoliciesPerAccount = 1500;

/** Managed policy documents: 2012-10-17 only, at most 6,144 characters without whitespace. */
function checkManagedDocument(document: string, allowance: QuotaAllowance): QuotaExceeded[] {
  const parsed = parsePolicyDocument(document, "identity", { managed: true });
  if (!parsed.ok) throw new DomainError(parsed.code === "ValidationError" ? "InvalidInput" : "MalformedPolicyDocument", parsed.reason);
  const size = policySizeWithoutWhitespace(document);
  return checkQuota(allowance, "PolicySizeQuota", MANAGED_POLICY_SIZE_QUOTA, size, `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE_QUOTA}`);
}

/** AWS never reuses a version id: an imported one must be v<n> with n past every id the policy has had. */
function checkImportedVersionId(versionId: string, versionsCreated: number): string {
  const n = versionNumber(versionId);
  if (n === undefined || n <= versionsCreated) {
    throw invalidInput(`Version id ${versionId} is not v<n> above v${versionsCreated}: AWS never reuses a policy's version ids.`);
  }
  return versionId;
}

export function decidePolicy(command: PolicyCommand, input: PolicyDecisionInput, meta: CommandMetadata): PolicyEvent[] {
  if (command.type === "CreatePolicy") {
    checkName("policyName", command.policyName, nameLimits.policy);
    checkPath("path", command.path);
    checkTags(command.tags);
    if (command.description.length > 1000) {
      throw invalidInput("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000");
    }
    mergeTags([], command.tags, "TagsPerPolicy");
    const sizePast = checkManagedDocument(command.policyDocument, meta);
    const arn = entityArn(meta.accountId, "policy", command.path, command.policyName);
    if (input.nameTaken) throw new DomainError("EntityAlreadyExists", `A policy called ${command.policyName} already exists. Duplicate names are not allowed.`);
    const countPast = checkQuota(meta, "PoliciesQuota", maxCustomerPoliciesPerAccount, (input.policiesInAccount ?? 0) + 1, `Cannot exceed quota for PoliciesPerAccount: ${maxCustomerPoliciesPerAccount}`);
    return [
      {
        type: "PolicyCreated",
        data: {
          policyId: meta.newId,
          policyName: command.policyName,
          path: command.path,
          arn,
          description: command.description,
          versionId: command.imported ? checkImportedVersionId(command.imported.versionId, 0) : "v1",
          document: command.policyDocument,
          tags: [...command.tags],
          ...(command.imported ? { createDate: command.imported.createDate, versionCreateDate: command.imported.versionCreateDate } : {}),
          ...quotaNoted([...sizePast, ...countPast]),
        },
      },
    ];
  }

  if (input.awsManaged) {
    throw new DomainError("UnmodifiableEntity", `Policy ${command.policyArn} is an AWS managed policy and cannot be changed.`);
  }
  const policy = input.policy;
  if (policy.status !== "active") throw noSuchEntity(`Policy ${command.policyArn} was not found.`);
  const { policyId, arn } = policy;

  switch (command.type) {
    case "CreatePolicyVersion": {
      const sizePast = checkManagedDocument(command.policyDocument, meta);
      const versionsPast = checkQuota(meta, "VersionsPerPolicyQuota", maxPolicyVersions, policy.versions.length + 1,
        `A managed policy can have up to ${maxPolicyVersions} versions. Before you create a new version, you must delete an existing version.`);
      const versionId = command.imported ? checkImportedVersionId(command.imported.versionId, policy.versionsCreated) : `v${policy.versionsCreated + 1}`;
      const created: PolicyEvent = {
        type: "PolicyVersionCreated",
        data: { policyId, arn, versionId, document: command.policyDocument, setAsDefault: command.setAsDefault, ...createDateOf(command.imported), ...quotaNoted([...sizePast, ...versionsPast]) },
      };
      if (!command.setAsDefault) return [created];
      return [created, { type: "PolicyDefaultVersionSet", data: { policyId, arn, versionId, previousVersionId: policy.defaultVersionId } }];
    }
    case "SetDefaultPolicyVersion": {
      if (!policy.versions.some((v) => v.versionId === command.versionId)) {
        throw noSuchEntity(`Policy ${arn} version ${command.versionId} does not exist or is not attachable.`);
      }
      if (policy.defaultVersionId === command.versionId) return [];
      return [{ type: "PolicyDefaultVersionSet", data: { policyId, arn, versionId: command.versionId, previousVersionId: policy.defaultVersionId } }];
    }
    case "DeletePolicyVersion": {
      if (!policy.versions.some((v) => v.versionId === command.versionId)) {
        throw noSuchEntity(`Policy ${arn} version ${command.versionId} does not exist or is not attachable.`);
      }
      if (policy.defaultVersionId === command.versionId) {
        throw new DomainError("DeleteConflict", "Cannot delete the default version of a policy.");
      }
      return [{ type: "PolicyVersionDeleted", data: { policyId, arn, versionId: command.versionId } }];
    }
    case "DeletePolicy": {
      if ((input.attachmentCount ?? 0) > 0) throw new DomainError("DeleteConflict", "Cannot delete a policy attached to entities.");
      if ((input.boundaryUsageCount ?? 0) > 0) {
        throw new DomainError("DeleteConflict", "Cannot delete a policy used as a permissions boundary.");
      }
      if (policy.versions.length > 1) {
        throw new DomainError(
          "DeleteConflict",
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      return [{ type: "PolicyDeleted", data: { policyId, policyName: policy.policyName, arn } }];
    }
    case "TagPolicy": {
      checkTags(command.tags);
      mergeTags(policy.tags, command.tags, "TagsPerPolicy");
      return [{ type: "PolicyTagged", data: { policyId, tags: [...command.tags] } }];
    }
    case "UntagPolicy": {
      checkTagKeys(command.tagKeys);
      return [{ type: "PolicyUntagged", data: { policyId, tagKeys: [...command.tagKeys] } }];
    }
    default:
      return assertNever(command);
  }
}

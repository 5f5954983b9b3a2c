import { DomainError } from "./domain-error.js";

// The quotas the deciders enforce, by AWS's names, and the one rule for going past one: never,
// except for a snapshot import whose request says so (src/snapshot, `--over-quota note`). An AWS
// account can have raised quotas (Service Quotas); its snapshot holds what AWS allowed it, and
// the import must be able to append that without a second copy of the deciders' rules.

/** GetAccountSummary's SummaryMap keys for the quotas iamgraph enforces; Tags* as AWS's tag errors name them. */
export type QuotaName =
  | "UsersQuota"
  | "GroupsQuota"
  | "RolesQuota"
  | "PoliciesQuota"
  | "GroupsPerUserQuota"
  | "AttachedPoliciesPerUserQuota"
  | "AttachedPoliciesPerGroupQuota"
  | "AttachedPoliciesPerRoleQuota"
  | "VersionsPerPolicyQuota"
  | "PolicySizeQuota"
  | "UserPolicySizeQuota"
  | "GroupPolicySizeQuota"
  | "RolePolicySizeQuota"
  | "AssumeRolePolicySizeQuota"
  | "TagsPerUser"
  | "TagsPerRole";

/**
 * The quotas AWS raises on request (User Guide, reference_iam-quotas: "can be increased"). The
 * others are fixed in AWS, so a file past one of them was edited or counts differently (policy
 * sizes): still importable with the quota noted, and the report says which kind it is.
 */
export const raisableQuotas: ReadonlySet<QuotaName> = new Set<QuotaName>([
  "GroupsQuota",
  "RolesQuota",
  "PoliciesQuota",
  "AttachedPoliciesPerUserQuota",
  "AttachedPoliciesPerRoleQuota",
  "AssumeRolePolicySizeQuota",
]);

/** A quota a change went past, as its event records it (events/quota-exceeded.ts). */
export interface QuotaExceeded {
  readonly quota: QuotaName;
  /** iamgraph's limit, which is AWS's default. */
  readonly limit: number;
  /** What the entity (or account) holds with the change. */
  readonly value: number;
}

/**
 * How a command may treat quotas. Only a snapshot import sets `pastQuotas: "note"` (through
 * RequestContext.pastQuotas, which no API request carries): past a quota, the change is made and
 * its event carries the excess. Absent, a change past a quota is refused — every ordinary command,
 * including the ones that later touch an element imported past its quota.
 */
export interface QuotaAllowance {
  readonly pastQuotas?: "note";
}

/**
 * `value` against a quota: within it, nothing; past it, LimitExceeded with AWS's `refusal`
 * message — or, when the command may go past quotas, the excess to record in its event.
 */
export function checkQuota(allowance: QuotaAllowance, quota: QuotaName, limit: number, value: number, refusal: string): QuotaExceeded[] {
  if (value <= limit) return [];
  if (allowance.pastQuotas !== "note") throw new DomainError("LimitExceeded", refusal);
  return [{ quota, limit, value }];
}

/** The event-data field for what `checkQuota` let past: absent when nothing was. */
export const quotaNoted = (exceeded: readonly QuotaExceeded[]): { quotaExceeded?: QuotaExceeded[] } =>
  exceeded.length > 0 ? { quotaExceeded: [...exceeded] } : {};

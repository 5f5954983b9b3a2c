// Policy size as IAM counts it against its quotas: characters, not counting whitespace
// (reference_iam-quotas: "IAM doesn't count white space when calculating the size of a policy
// against these quotas"). GetAccountSummary reports the same numbers as "non-whitespace
// characters".

/** Managed policy document (CreatePolicy, CreatePolicyVersion) — PolicySizeQuota. */
export const MANAGED_POLICY_SIZE_QUOTA = 6_144;
/** All inline policies of one user, summed — UserPolicySizeQuota. */
export const USER_INLINE_POLICIES_SIZE_QUOTA = 2_048;
/** All inline policies of one group, summed — GroupPolicySizeQuota. */
export const GROUP_INLINE_POLICIES_SIZE_QUOTA = 5_120;
/** All inline policies of one role, summed — RolePolicySizeQuota. */
export const ROLE_INLINE_POLICIES_SIZE_QUOTA = 10_240;
/** Role trust policy (CreateRole, UpdateAssumeRolePolicy) — AssumeRolePolicySizeQuota (default; raisable to 4,096). */
export const TRUST_POLICY_SIZE_QUOTA = 2_048;

export const INLINE_POLICIES_SIZE_QUOTA = {
  user: USER_INLINE_POLICIES_SIZE_QUOTA,
  group: GROUP_INLINE_POLICIES_SIZE_QUOTA,
  role: ROLE_INLINE_POLICIES_SIZE_QUOTA,
} as const;

/**
 * Counts the characters of a policy text that are not whitespace. Policy text may only hold
 * TAB, LF, CR and U+0020–U+00FF, so the whitespace there is TAB, LF, CR and SPACE — wherever
 * it stands, inside JSON strings too.
 */
export function policySizeWithoutWhitespace(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) size++;
  }
  return size;
}

/** Sum for the inline policies of one entity, as the per-entity quota counts them. */
export function inlinePoliciesSize(texts: Iterable<string>): number {
  let total = 0;
  for (const t of texts) total += policySizeWithoutWhitespace(t);
  return total;
}

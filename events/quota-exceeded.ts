import { z } from "zod";

/**
 * On an imported event only (src/snapshot, `--over-quota note`): the quotas the change went past,
 * because the AWS account it came from has them raised. Absent on every event an ordinary command
 * appends — those are refused at the quota. An optional field, so events stored before it existed
 * read unchanged (no new schema version).
 */
export const quotaExceeded = z
  .array(
    z.object({
      /** AWS's name for the quota, as GetAccountSummary's SummaryMap keys it (AttachedPoliciesPerRoleQuota). */
      quota: z.string(),
      /** iamgraph's limit: AWS's default. */
      limit: z.number(),
      /** What the entity (or account) holds with this change. */
      value: z.number(),
    }),
  )
  .optional();

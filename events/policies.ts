import { z } from "zod";
import { defineEvent } from "./event-definition.js";
import { quotaExceeded } from "./quota-exceeded.js";

// Stream: `policy-<ANPA id>` — customer-managed policies. Every version's document stays in the
// log for ever, even after DeletePolicyVersion removes it from the policy's current view.
// AWS-managed policies (src/catalogue/import-aws-managed.ts) are streams of the same events,
// appended by actor `aws` with `awsManaged` and `effectiveAt` (AWS's date of the version; the
// event's occurredAt is when this store learned of it).

const tag = z.object({ key: z.string(), value: z.string() });

/** Only on AWS-managed versions. Optional fields, so every stored customer event still parses as is. */
const awsVersion = {
  /** AWS's date of the version (ISO 8601): the moment history sees it take effect. */
  effectiveAt: z.string().optional(),
  /** The source's date was unusable and effectiveAt is the latest moment the version can have appeared. */
  effectiveAtEstimated: z.boolean().optional(),
};

export const PolicyCreated = defineEvent(
  "PolicyCreated",
  z.object({
    policyId: z.string(),
    policyName: z.string(),
    path: z.string(),
    arn: z.string(),
    description: z.string(),
    /** The first version, v1, which is the default. */
    versionId: z.string(),
    document: z.string(),
    tags: z.array(tag),
    ...awsVersion,
    /** An AWS-managed policy (account `aws`): read-only to every account. */
    awsManaged: z.boolean().optional(),
    /** Imported entities (src/snapshot): the create date AWS reports; absent = the event's own time. */
    createDate: z.string().optional(),
    /** Imported: the first version's create date (it may be v3, made after the policy). */
    versionCreateDate: z.string().optional(),
    quotaExceeded,
  }),
);

export const PolicyVersionCreated = defineEvent(
  "PolicyVersionCreated",
  z.object({
    policyId: z.string(),
    arn: z.string(),
    versionId: z.string(),
    document: z.string(),
    setAsDefault: z.boolean(),
    ...awsVersion,
    /** Imported versions (src/snapshot): the create date AWS reports. */
    createDate: z.string().optional(),
    quotaExceeded,
  }),
);

/** The default version moved (SetDefaultPolicyVersion, or CreatePolicyVersion with SetAsDefault). */
export const PolicyDefaultVersionSet = defineEvent(
  "PolicyDefaultVersionSet",
  z.object({ policyId: z.string(), arn: z.string(), versionId: z.string(), previousVersionId: z.string(), ...awsVersion }),
);

export const PolicyVersionDeleted = defineEvent(
  "PolicyVersionDeleted",
  z.object({ policyId: z.string(), arn: z.string(), versionId: z.string() }),
);

export const PolicyDeleted = defineEvent("PolicyDeleted", z.object({ policyId: z.string(), policyName: z.string(), arn: z.string() }));

export const PolicyTagged = defineEvent("PolicyTagged", z.object({ policyId: z.string(), tags: z.array(tag) }));
export const PolicyUntagged = defineEvent("PolicyUntagged", z.object({ policyId: z.string(), tagKeys: z.array(z.string()) }));

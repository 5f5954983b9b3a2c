import { z } from "zod";
import { defineEvent } from "./event-definition.js";
import { quotaExceeded } from "./quota-exceeded.js";

// Stream: `role-<AROA id>`.

const tag = z.object({ key: z.string(), value: z.string() });

export const RoleCreated = defineEvent(
  "RoleCreated",
  z.object({
    roleId: z.string(),
    roleName: z.string(),
    path: z.string(),
    arn: z.string(),
    description: z.string(),
    maxSessionDuration: z.number().int(),
    /** The trust policy (AssumeRolePolicyDocument). */
    assumeRolePolicyDocument: z.string(),
    tags: z.array(tag),
    /** Imported entities (src/snapshot): the create date AWS reports; absent = the event's own time. */
    createDate: z.string().optional(),
    quotaExceeded,
  }),
);

export const RoleAssumeRolePolicyUpdated = defineEvent(
  "RoleAssumeRolePolicyUpdated",
  z.object({ roleId: z.string(), assumeRolePolicyDocument: z.string(), quotaExceeded }),
);

/** Tags added or overwritten (keys match ignoring case; the latest spelling wins), as UserTagged. */
export const RoleTagged = defineEvent("RoleTagged", z.object({ roleId: z.string(), tags: z.array(tag), quotaExceeded }));

export const RoleUntagged = defineEvent("RoleUntagged", z.object({ roleId: z.string(), tagKeys: z.array(z.string()) }));

export const RoleDeleted = defineEvent("RoleDeleted", z.object({ roleId: z.string(), roleName: z.string(), arn: z.string() }));

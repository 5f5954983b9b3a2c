import { z } from "zod";
import { defineEvent } from "./event-definition.js";
import { quotaExceeded } from "./quota-exceeded.js";

// What gives a principal its permissions. Each event lives in the stream of the entity it
// changes (`user-…`, `group-…`, `role-…`), because the quotas it is checked against
// (10 managed policies per entity, inline size per entity, one boundary) are that entity's.

const entityType = z.enum(["user", "group", "role"]);
const entity = { entityType, entityId: z.string(), entityName: z.string() };

export const ManagedPolicyAttached = defineEvent(
  "ManagedPolicyAttached",
  z.object({ ...entity, policyArn: z.string(), policyName: z.string(), quotaExceeded }),
);

export const ManagedPolicyDetached = defineEvent(
  "ManagedPolicyDetached",
  z.object({ ...entity, policyArn: z.string(), policyName: z.string() }),
);

/** PutUserPolicy / PutGroupPolicy / PutRolePolicy: creates or replaces the named inline policy. */
export const InlinePolicyPut = defineEvent("InlinePolicyPut", z.object({ ...entity, policyName: z.string(), document: z.string(), quotaExceeded }));

export const InlinePolicyDeleted = defineEvent("InlinePolicyDeleted", z.object({ ...entity, policyName: z.string() }));

/** Users and roles only. Replaces any boundary already set. */
export const PermissionsBoundaryPut = defineEvent(
  "PermissionsBoundaryPut",
  z.object({ entityType: z.enum(["user", "role"]), entityId: z.string(), entityName: z.string(), policyArn: z.string() }),
);

export const PermissionsBoundaryDeleted = defineEvent(
  "PermissionsBoundaryDeleted",
  z.object({ entityType: z.enum(["user", "role"]), entityId: z.string(), entityName: z.string(), policyArn: z.string() }),
);

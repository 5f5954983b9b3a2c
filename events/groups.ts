import { z } from "zod";
import { defineEvent } from "./event-definition.js";
import { quotaExceeded } from "./quota-exceeded.js";

// Stream: `group-<AGPA id>`. Groups cannot be tagged (AWS).

export const GroupCreated = defineEvent(
  "GroupCreated",
  z.object({
    groupId: z.string(),
    groupName: z.string(),
    path: z.string(),
    arn: z.string(),
    /** Imported entities (src/snapshot): the create date AWS reports; absent = the event's own time. */
    createDate: z.string().optional(),
    quotaExceeded,
  }),
);

export const GroupUpdated = defineEvent(
  "GroupUpdated",
  z.object({ groupId: z.string(), groupName: z.string(), newGroupName: z.string(), newPath: z.string(), newArn: z.string() }),
);

export const GroupDeleted = defineEvent("GroupDeleted", z.object({ groupId: z.string(), groupName: z.string(), arn: z.string() }));

import { z } from "zod";
import { defineEvent } from "./event-definition.js";
import { quotaExceeded } from "./quota-exceeded.js";

// Stream: `user-<AIDA id>`. Membership events live in the user's stream because the rules they
// are checked against (at most 10 groups per user, no deleting a user with groups) are the user's.

const tag = z.object({ key: z.string(), value: z.string() });

export const UserCreated = defineEvent(
  "UserCreated",
  z.object({
    userId: z.string(),
    userName: z.string(),
    path: z.string(),
    arn: z.string(),
    tags: z.array(tag),
    /** Imported entities (src/snapshot): the create date AWS reports; absent = the event's own time. */
    createDate: z.string().optional(),
    quotaExceeded,
  }),
);

/** UpdateUser: a new name and/or a new path (the ARN follows both). */
export const UserUpdated = defineEvent(
  "UserUpdated",
  z.object({
    userId: z.string(),
    userName: z.string(),
    newUserName: z.string(),
    newPath: z.string(),
    newArn: z.string(),
  }),
);

export const UserDeleted = defineEvent("UserDeleted", z.object({ userId: z.string(), userName: z.string(), arn: z.string() }));

/** Tags added or overwritten (keys match ignoring case; the latest spelling wins). */
export const UserTagged = defineEvent("UserTagged", z.object({ userId: z.string(), tags: z.array(tag), quotaExceeded }));

export const UserUntagged = defineEvent("UserUntagged", z.object({ userId: z.string(), tagKeys: z.array(z.string()) }));

const membership = z.object({ userId: z.string(), userName: z.string(), groupId: z.string(), groupName: z.string() });

export const UserAddedToGroup = defineEvent("UserAddedToGroup", membership.extend({ quotaExceeded }));
export const UserRemovedFromGroup = defineEvent("UserRemovedFromGroup", membership);

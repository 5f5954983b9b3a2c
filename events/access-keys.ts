import { z } from "zod";
import { defineEvent } from "./event-definition.js";

// Stream: the owning user's (`user-<AIDA id>`), because the rules they are checked against
// (at most two keys per user; no deleting a user who still has keys) are the user's.
//
// No secret, and no hash of one, ever appears here: the log is exported, replayed and read by
// auditors. The hash lives in `access_key_credentials`, written in the same transaction
// (src/auth/credential-store.ts).

const status = z.enum(["Active", "Inactive"]);

export const AccessKeyCreated = defineEvent(
  "AccessKeyCreated",
  z.object({ userId: z.string(), userName: z.string(), accessKeyId: z.string(), status }),
);

/** UpdateAccessKey: Active ⇄ Inactive. */
export const AccessKeyStatusChanged = defineEvent(
  "AccessKeyStatusChanged",
  z.object({ userId: z.string(), userName: z.string(), accessKeyId: z.string(), status }),
);

export const AccessKeyDeleted = defineEvent(
  "AccessKeyDeleted",
  z.object({ userId: z.string(), userName: z.string(), accessKeyId: z.string() }),
);

import type { RawQueryable } from "./read.js";

// The log announces that it grew with a PostgreSQL NOTIFY sent inside the appending transaction
// (app/group-commit.ts), so it reaches listeners exactly when the events become visible, and
// never for a batch that rolled back. The channel is keyed by the store's schema, as the write
// lock is: two stores in one database do not wake each other. Hashed because a channel name is
// limited to 63 bytes and pg_notify refuses a longer one (which would fail every append).
const channelExpr = `'iamgraph_log_' || md5(current_schema())`;

/** The one statement the appending transaction runs to wake every instance's log tailer. */
export const notifyLogGrew = `SELECT pg_notify(${channelExpr}, '')`;

/** This store's channel, for LISTEN. */
export async function logChannel(db: RawQueryable): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ channel: string }[]>(`SELECT ${channelExpr} AS channel`);
  return rows[0]!.channel;
}

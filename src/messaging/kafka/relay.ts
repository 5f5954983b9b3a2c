import { logChannel } from "../../eventstore/log-notify.js";
import { readAllRows } from "../../eventstore/read.js";
import { eventMessage } from "./event-message.js";
import type { RelaySource } from "./topic-relay.js";

/**
 * The relay's source: the log itself, read with the store's gap-safe reader (appends are
 * serialised, so a position once visible has every smaller committed position visible too, and
 * an event that committed late is never skipped), each event as it is stored; woken by the
 * log's NOTIFY (src/eventstore/log-notify.ts).
 */
export function eventsSource(topic: string): RelaySource {
  return {
    name: `relay:${topic}`,
    topic,
    async read(db, after, limit) {
      const rows = await readAllRows(db, after, limit);
      return rows.map((row) => ({ position: Number(row.position), message: eventMessage(row) }));
    },
    wakeChannel: logChannel,
  };
}

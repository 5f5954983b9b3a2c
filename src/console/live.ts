import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./graphql/client.js";
import { graphql } from "./graphql/tada.js";

const LiveEvents = graphql(`subscription LiveEvents($after: Position) { events(after: $after) { position type streamId } }`);
// Needs no permission (GetCallerIdentity), and every answer carries the log's position.
const Head = graphql(`query LiveHead { callerIdentity { arn } }`);

/** "polling": this principal may not subscribe to `events`; the console checks the head instead. */
export type LiveState = "connecting" | "live" | "polling" | "unavailable";

export const pollSeconds = 5;

/**
 * One live tail of the log for the whole console: every event moves `revision`, and every page's
 * queries (src/console/graphql/use-query.ts) refetch, so lists and detail pages follow changes
 * made by anyone, anywhere. Events come in bursts (one command, several events): a short
 * debounce turns a burst into one refetch.
 *
 * The subscription starts `after` the position the console's answers have already shown
 * (ApiClient.position): a change committed between the page's read and the server starting the
 * subscription is replayed, not lost. A principal refused `events` (iamgraph:ListEvents) gets
 * polling instead — the head position, from callerIdentity, every few seconds; pages refetch only
 * when it moved — and the header says so.
 */
export function useLiveTail(client: ApiClient): { revision: number; state: LiveState } {
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poller: ReturnType<typeof setInterval> | undefined;
    let polling = false;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setRevision((r) => r + 1), 150);
    };
    const poll = () => {
      polling = true;
      stop();
      setState("polling");
      let seen = client.position;
      poller = setInterval(() => {
        void client.send(Head).then(() => {
          if (client.position > seen) {
            seen = client.position;
            changed();
          }
        });
      }, pollSeconds * 1000);
    };
    client.onSocket = (s) => {
      if (!polling) setState(s);
    };
    const stop = client.subscribe(
      LiveEvents,
      { after: client.position },
      () => {
        setState("live");
        changed();
      },
      (errors) => {
        if (errors.some((e) => e.code === "AccessDenied")) poll();
        else if (!polling) setState("unavailable");
      },
    );
    return () => {
      clearTimeout(timer);
      clearInterval(poller);
      stop();
    };
  }, [client]);
  return { revision, state };
}

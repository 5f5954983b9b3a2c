import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./graphql/client.js";
import { graphql } from "./graphql/tada.js";

const LiveEvents = graphql(`subscription LiveEvents { events { position type streamId } }`);

export type LiveState = "connecting" | "live" | "unavailable";

/**
 * One live tail of the log for the whole console: every event moves `revision`, and every page's
 * queries (src/console/graphql/use-query.ts) refetch, so lists and detail pages follow changes
 * made by anyone, anywhere. Events come in bursts (one command, several events): a short
 * debounce turns a burst into one refetch.
 */
export function useLiveTail(client: ApiClient): { revision: number; state: LiveState } {
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    client.onSocket = setState;
    const stop = client.subscribe(
      LiveEvents,
      {},
      () => {
        setState("live");
        clearTimeout(timer);
        timer = setTimeout(() => setRevision((r) => r + 1), 150);
      },
      () => setState("unavailable"),
    );
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [client]);
  return { revision, state };
}

import { useCallback, useEffect, useState } from "preact/hooks";
import type { TadaDocumentNode } from "./tada.js";
import type { ApiError } from "./errors.js";
import { useSession } from "./context.js";

// How many queries are in flight, on <html data-busy>: tests and screenshots wait for "false".
let inFlight = 0;
const busy = (delta: number) => {
  inFlight += delta;
  document.documentElement.dataset.busy = String(inFlight > 0);
};

export interface QueryState<R> {
  readonly data: R | undefined;
  readonly errors: ApiError[];
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs a query as the signed-in principal; again when its variables change, when `reload` is
 * called, and when the live tail reports a change (so pages follow what others do). Partial
 * data is kept beside the errors: a field the caller may not read does not blank the page.
 */
export function useQuery<R, V>(document: TadaDocumentNode<R, V>, variables: V, options: { skip?: boolean } = {}): QueryState<R> {
  const { client, revision } = useSession();
  const [state, setState] = useState<{ data: R | undefined; errors: ApiError[]; loading: boolean }>({ data: undefined, errors: [], loading: !options.skip });
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    busy(1);
    void client.send(document, variables).then((r) => {
      busy(-1);
      if (live) setState({ data: r.data, errors: r.errors, loading: false });
    });
    return () => {
      live = false;
    };
  }, [client, document, key, revision, nonce, options.skip]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import type { TadaDocumentNode } from "./tada.js";
import { ApiFailure, apiErrorsOf, type ApiError } from "./errors.js";

export interface Response<R> {
  readonly data: R | undefined;
  readonly errors: ApiError[];
}

/**
 * The console's one way to the API: POST /graphql as the signed-in principal, and graphql-ws
 * for subscriptions (a browser cannot set WebSocket headers, so the key goes in connectionParams).
 */
export class ApiClient {
  private ws: Client | undefined;
  /** Told when the subscription socket opens ("live") or closes ("unavailable"). */
  onSocket: (state: "live" | "unavailable") => void = () => {};
  /**
   * The furthest log position any answer has reflected (`extensions.position`): what the pages
   * on screen have seen, so the live tail can start from it and miss nothing written meanwhile.
   */
  position = 0;
  constructor(private readonly authorization: string) {}

  async send<R, V>(document: TadaDocumentNode<R, V>, variables?: V): Promise<Response<R>> {
    let response: globalThis.Response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        // No cookies, and no browser login prompt on a 401's `WWW-Authenticate: Basic`: the
        // refusal comes back to the console, which shows it in AWS's words.
        credentials: "omit",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: this.authorization },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
    } catch {
      return { data: undefined, errors: [{ code: "NetworkError", message: "iamgraph did not answer; is the server running?" }] };
    }
    const body = (await response.json().catch(() => ({}))) as { data?: R | null; errors?: []; extensions?: { position?: unknown } };
    if (typeof body.extensions?.position === "number") this.position = Math.max(this.position, body.extensions.position);
    const errors = apiErrorsOf(body.errors);
    if (!body.data && errors.length === 0) errors.push({ code: `HTTP${response.status}`, message: response.statusText || "The request failed" });
    return { data: body.data ?? undefined, errors };
  }

  /** Data, or throws the API's errors (for mutations and one-off reads). */
  async run<R, V>(document: TadaDocumentNode<R, V>, variables?: V): Promise<R> {
    const { data, errors } = await this.send(document, variables);
    if (errors.length > 0 || !data) throw new ApiFailure(errors);
    return data;
  }

  subscribe<R, V>(document: TadaDocumentNode<R, V>, variables: V, onData: (data: R) => void, onError?: (errors: ApiError[]) => void): () => void {
    this.ws ??= createClient({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
      connectionParams: { authorization: this.authorization },
      lazy: true,
      retryAttempts: 5,
      on: { connected: () => this.onSocket("live"), closed: () => this.onSocket("unavailable") },
    });
    return this.ws.subscribe<R>(
      { query: print(document), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (value) => {
          if (value.data) onData(value.data as R);
          if (value.errors) onError?.(apiErrorsOf(value.errors as never));
        },
        // A refusal at the start (AccessDenied) comes as graphql-ws's `error` message: its GraphQL
        // errors, codes included; a closed socket as a CloseEvent.
        error: (err) =>
          onError?.(Array.isArray(err) ? apiErrorsOf(err) : [{ code: "SubscriptionFailed", message: err instanceof CloseEvent ? err.reason : String(err) }]),
        complete: () => {},
      },
    );
  }

  close(): void {
    void this.ws?.dispose();
  }
}

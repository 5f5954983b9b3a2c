import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/** A graphql-ws client of a test server on 127.0.0.1:`port`, authenticated with `authorization` (null: none). */
export function wsClientOn(port: number, authorization: string | null): Client {
  return createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
}

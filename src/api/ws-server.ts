import type { IncomingHttpHeaders, IncomingMessage, Server } from "node:http";
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { AuthenticationFailure } from "../auth/authentication-failure.js";
import type { Authenticator } from "../auth/authenticator.js";
import { originOf, type Authenticated } from "./authentication.js";
import { groupKey, SubscriptionGroups, type FrameSocket } from "./subscription-groups.js";
import type { IamgraphYoga } from "./yoga.js";

interface Envelope {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the same path as HTTP, run through the same
 * Yoga envelope — same schema, context, error masking and plugins as every HTTP request.
 * graphql-ws sends a subscription's next message only once the socket took the previous one, so
 * a slow reader leaves its messages in the hub's bounded buffer, where it is cut off
 * (close code 4429) instead of slowing anyone else.
 */
export function serveGraphqlWs(
  server: Server,
  yoga: IamgraphYoga,
  authenticator: Authenticator,
  options: {
    path?: string;
    maxPayloadBytes?: number;
    maxBufferedBytes?: number;
    /** Identical subscriptions share one stream (default); false runs each on its own (the bench's comparison). */
    shareIdentical?: boolean;
    onError?: (err: unknown) => void;
  } = {},
): { close(): Promise<void>; groups: SubscriptionGroups } {
  const authenticatedSockets = new WeakMap<object, Authenticated>();
  const groups = new SubscriptionGroups({ maxBufferedBytes: options.maxBufferedBytes ?? 8 * 2 ** 20, ...(options.onError ? { onError: options.onError } : {}) });
  // Which group a subscription may join: set in onSubscribe, read in subscribe (same args object).
  const grouping = new WeakMap<object, { key: string; socket: WebSocket; id: string }>();
  const wss = new WebSocketServer({ server, path: options.path ?? "/graphql", maxPayload: options.maxPayloadBytes ?? 1_000_000 });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Envelope).execute(args) as never,
      subscribe: async (args) => {
        const started = await (args.rootValue as Envelope).subscribe(args);
        const group = grouping.get(args);
        if (!group || !isAsyncIterable(started)) return started as never;
        return groups.join(group.key, frameSocketOf(group.socket), group.id, started[Symbol.asyncIterator]()) as never;
      },
      // The connection authenticates once, with `{ authorization: "Basic …" }` in connection_init's
      // payload (browsers cannot set headers on a WebSocket) or the upgrade request's header.
      // Failure closes the socket with 4401 and the AWS code as the reason.
      onConnect: async (ctx) => {
        const { socket, request: req } = ctx.extra;
        const fromParams = ctx.connectionParams?.["authorization"] ?? ctx.connectionParams?.["Authorization"];
        const header = typeof fromParams === "string" ? fromParams : req.headers.authorization;
        const request = requestOf(req);
        const origin = originOf(request, req);
        // Temporary credentials also carry their session token (STS), as `x-amz-security-token`.
        const tokenParam = ctx.connectionParams?.["x-amz-security-token"];
        const token = typeof tokenParam === "string" ? tokenParam : req.headers["x-amz-security-token"];
        const result = await authenticator.authenticate(header, origin.sourceIp, typeof token === "string" ? token : undefined);
        if (result instanceof AuthenticationFailure) {
          socket.close(result.code === "Throttling" ? 4429 : 4401, `${result.code}: ${result.message}`.slice(0, 123));
          return false;
        }
        authenticatedSockets.set(socket, { caller: result, origin });
        return true;
      },
      onSubscribe: async (ctx, id, params) => {
        const { socket, request: req } = ctx.extra;
        const authenticated = authenticatedSockets.get(socket);
        if (!authenticated) return [new GraphQLError("Request is missing Authentication Token", { extensions: { code: "MissingAuthenticationToken" } })];
        const request = requestOf(req);
        let key: string | undefined;
        // A grouped subscription's stream serves every member: its overflow closes all of them.
        const closeTransport = (code: number, reason: string) => (key ? groups.closeAll(key, code, reason.slice(0, 123)) : socket.close(code, reason.slice(0, 123)));
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...ctx, request, params, closeTransport, authenticated });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        if (options.shareIdentical !== false) key = groupKey({ ...args, query: params.query, identity: [authenticated.caller, authenticated.origin] });
        if (key) grouping.set(args, { key, socket, id });
        return args;
      },
    },
    wss,
  );
  return {
    groups,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const frameSockets = new WeakMap<WebSocket, FrameSocket>();

/** The socket as a group writes to it: `ws`'s own, with the TCP socket's cork beneath it. */
function frameSocketOf(socket: WebSocket): FrameSocket {
  let frames = frameSockets.get(socket);
  if (!frames) {
    const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    frames = {
      // A text frame, as graphql-ws sends: a Buffer would go out as binary otherwise.
      send: (frame) => socket.send(frame, { binary: false }),
      close: (code, reason) => socket.close(code, reason),
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      ...(raw ? { cork: () => raw.cork(), uncork: () => raw.uncork() } : {}),
    };
    frameSockets.set(socket, frames);
  }
  return frames;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function requestOf(req: IncomingMessage): Request {
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/graphql"}`, { headers: toHeaders(req.headers) });
}

function toHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out;
}

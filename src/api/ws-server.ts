import type { IncomingHttpHeaders, IncomingMessage, Server } from "node:http";
import { GraphQLError, type ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { AuthenticationFailure } from "../auth/authentication-failure.js";
import type { Authenticator } from "../auth/authenticator.js";
import { originOf, type Authenticated } from "./authentication.js";
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
  options: { path?: string; maxPayloadBytes?: number } = {},
): { close(): Promise<void> } {
  const authenticatedSockets = new WeakMap<object, Authenticated>();
  const wss = new WebSocketServer({ server, path: options.path ?? "/graphql", maxPayload: options.maxPayloadBytes ?? 1_000_000 });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Envelope).execute(args) as never,
      subscribe: (args) => (args.rootValue as Envelope).subscribe(args) as never,
      // The connection authenticates once, with `{ authorization: "Basic …" }` in connection_init's
      // payload (browsers cannot set headers on a WebSocket) or the upgrade request's header.
      // Failure closes the socket with 4401 and the AWS code as the reason.
      onConnect: async (ctx) => {
        const { socket, request: req } = ctx.extra;
        const fromParams = ctx.connectionParams?.["authorization"] ?? ctx.connectionParams?.["Authorization"];
        const header = typeof fromParams === "string" ? fromParams : req.headers.authorization;
        const request = requestOf(req);
        const origin = originOf(request, req);
        const result = await authenticator.authenticate(header, origin.sourceIp);
        if (result instanceof AuthenticationFailure) {
          socket.close(result.code === "Throttling" ? 4429 : 4401, `${result.code}: ${result.message}`.slice(0, 123));
          return false;
        }
        authenticatedSockets.set(socket, { caller: result, origin });
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { socket, request: req } = ctx.extra;
        const authenticated = authenticatedSockets.get(socket);
        if (!authenticated) return [new GraphQLError("Request is missing Authentication Token", { extensions: { code: "MissingAuthenticationToken" } })];
        const request = requestOf(req);
        const closeTransport = (code: number, reason: string) => socket.close(code, reason.slice(0, 123));
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
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
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

import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { AuthenticationFailure } from "../auth/authentication-failure.js";
import type { Authenticator } from "../auth/authenticator.js";
import { rootArn, type Caller, type RequestOrigin } from "../auth/caller.js";
import { isSigV4, signableRequest } from "../aws/sigv4.js";

/** Who is asking and from where: established before GraphQL parses anything. */
export interface Authenticated {
  readonly caller: Caller;
  readonly origin: RequestOrigin;
}

/**
 * Authenticates every HTTP request before it is parsed (an unauthenticated client learns
 * nothing about the schema, not even from validation errors) and answers failures with 401.
 * Health checks and the GraphiQL page are served by Yoga's own plugins before this one runs:
 * they carry no data. The WebSocket transport authenticates its connection itself
 * (src/api/ws-server.ts) and hands the result in as `authenticated`.
 */
export function authenticationPlugin(authenticator: Authenticator): { plugin: Plugin; authenticatedOf(initialContext: object): Authenticated } {
  const byRequest = new WeakMap<Request, Authenticated>();
  const plugin: Plugin = {
    async onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const origin = originOf(request, (serverContext as { req?: IncomingMessage }).req);
      // A SigV4-signed request (so no client has to send its secret) or HTTP Basic.
      const result = isSigV4({ url: new URL(request.url), headers: request.headers })
        ? await authenticator.authenticateSigned(await signableRequest(request), origin.sourceIp)
        : await authenticator.authenticate(request.headers.get("authorization"), origin.sourceIp, request.headers.get("x-amz-security-token"));
      if (result instanceof AuthenticationFailure) {
        const headers: Record<string, string> =
          result.code === "Throttling"
            ? { "content-type": "application/json", "retry-after": String(Math.max(1, Math.ceil((result.retryAfterMs ?? 1000) / 1000))) }
            : { "content-type": "application/json", "www-authenticate": 'Basic realm="iamgraph", charset="UTF-8"' };
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: result.message, extensions: { code: result.code } }] }), {
            status: result.code === "Throttling" ? 429 : 401,
            headers,
          }),
        );
        return;
      }
      byRequest.set(request, { caller: result, origin });
    },
  };
  return {
    plugin,
    authenticatedOf(initialContext) {
      const ctx = initialContext as { authenticated?: Authenticated; request?: Request };
      const found = ctx.authenticated ?? (ctx.request ? byRequest.get(ctx.request) : undefined);
      // Fail closed: a request that reached execution without passing through authentication is a bug.
      if (!found) throw new GraphQLError("Request is missing Authentication Token", { extensions: { code: "MissingAuthenticationToken" } });
      return found;
    },
  };
}

/** aws:SourceIp is the TCP peer; proxies' X-Forwarded-For is not trusted (anyone can send it). */
export function originOf(request: Request, req: IncomingMessage | undefined): RequestOrigin {
  const sourceIp = req?.socket?.remoteAddress?.replace(/^::ffff:/, "");
  const userAgent = request.headers.get("user-agent") ?? undefined;
  const secureTransport = Boolean((req?.socket as TLSSocket | undefined)?.encrypted) || new URL(request.url).protocol === "https:";
  return { secureTransport, ...(sourceIp ? { sourceIp } : {}), ...(userAgent ? { userAgent: userAgent.slice(0, 256) } : {}) };
}

/**
 * No authentication: every request acts as root. Exists only so bench/auth.bench.ts can measure
 * what authentication and self-authorization cost against the same server without them;
 * reachable only through startIamgraph's `authorization: "disabled"` option, which no
 * configuration or environment variable sets.
 */
export function unauthenticatedForBenchmarks(accountId: string): ReturnType<typeof authenticationPlugin> {
  const authenticated: Authenticated = { caller: { kind: "root", arn: rootArn(accountId), accountId, accessKeyId: "none" }, origin: { secureTransport: false } };
  return { plugin: {}, authenticatedOf: () => authenticated };
}

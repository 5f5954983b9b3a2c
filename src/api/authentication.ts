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
  const refuse = (endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }, result: AuthenticationFailure) => {
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
  };
  const plugin: Plugin = {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      const origin = originOf(request, (serverContext as { req?: IncomingMessage }).req);
      const settle = (result: Caller | AuthenticationFailure) => {
        if (result instanceof AuthenticationFailure) refuse(endResponse, fetchAPI, result);
        else byRequest.set(request, { caller: result, origin });
      };
      // A SigV4-signed request (so no client has to send its secret) or HTTP Basic.
      if (isSigV4({ url, headers: request.headers })) {
        return signableRequest(request).then((signable) => authenticator.authenticateSigned(signable, origin.sourceIp)).then(settle);
      }
      const authorization = request.headers.get("authorization");
      // A key whose secret this process has proven answers at once: no promise per request.
      const known = authenticator.authenticateInMemory(authorization, origin.sourceIp);
      if (known) return settle(known);
      return authenticator.authenticate(authorization, origin.sourceIp, request.headers.get("x-amz-security-token")).then(settle);
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
  const secureTransport = Boolean((req?.socket as TLSSocket | undefined)?.encrypted) || request.url.startsWith("https:");
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

import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Plugin } from "graphql-yoga";

// GraphiQL (development only) loads its scripts, styles and Monaco workers from unpkg and runs
// inline bootstrap code; everything else iamgraph serves is JSON or an event stream, for which
// nothing at all may load.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const graphiqlPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' https://unpkg.com blob:",
  "worker-src 'self' blob: https://unpkg.com",
  "style-src 'self' 'unsafe-inline' https://unpkg.com",
  "font-src 'self' data: https://unpkg.com",
  "img-src 'self' data: https://raw.githubusercontent.com",
  "connect-src 'self' ws: wss: https://unpkg.com",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/**
 * Headers on every response, errors and 401/413/429 included. HSTS only on a request that came
 * over TLS: on plain HTTP it is ignored by browsers at best, and a development server on
 * localhost must not pin itself to HTTPS.
 */
export function securityHeaders(): Plugin {
  return {
    onResponse({ request, response, serverContext }) {
      const headers = response.headers;
      headers.set("x-content-type-options", "nosniff");
      headers.set("referrer-policy", "no-referrer");
      headers.set("x-frame-options", "DENY");
      headers.set("cross-origin-opener-policy", "same-origin");
      headers.set("cross-origin-resource-policy", "same-origin");
      const html = headers.get("content-type")?.startsWith("text/html") ?? false;
      headers.set("content-security-policy", html ? graphiqlPolicy : apiPolicy);
      // Answers depend on who asks and change with every write: no shared or private cache may keep them.
      headers.set("cache-control", "no-store");
      if (overTls(request, serverContext)) headers.set("strict-transport-security", "max-age=31536000; includeSubDomains");
    },
  };
}

/** The socket may already be gone when a response is sent early (a refused chunked body). */
function overTls(request: Request, serverContext: unknown): boolean {
  const socket = (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket as TLSSocket | null | undefined;
  return socket?.encrypted === true || request.url.startsWith("https:");
}

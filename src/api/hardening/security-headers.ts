import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Plugin } from "graphql-yoga";

// Every page iamgraph serves — the console at `/` and GraphiQL (development only) at /graphql —
// runs only scripts and styles from iamgraph itself (src/api/console/): no CDN, no inline script.
// GraphiQL's Monaco editor adds <style> elements at run time, so its page alone allows inline
// styles (styles cannot run code); its workers are files of ours too. Everything else is JSON,
// an event stream or a static file, for which nothing at all may load.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const pageDirectives = ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "img-src 'self' data:", "font-src 'self' data:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"];
const consolePolicy = [...pageDirectives, "style-src 'self'"].join("; ");
const graphiqlPolicy = [...pageDirectives, "style-src 'self' 'unsafe-inline'", "worker-src 'self'"].join("; ");

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
      headers.set("content-security-policy", !html ? apiPolicy : new URL(request.url).pathname.startsWith("/graphql") ? graphiqlPolicy : consolePolicy);
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

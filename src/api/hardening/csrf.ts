import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createGraphQLError, type Plugin } from "graphql-yoga";

export const csrfHeader = "x-graphql-yoga-csrf";

/**
 * A browser that once answered our 401's `WWW-Authenticate: Basic` prompt re-sends those
 * credentials by itself, so a page on another site could make it call iamgraph. Browsers send
 * cross-site requests without a CORS preflight only when they are "simple" (GET, or POST as
 * form/multipart/text): Yoga's plugin refuses exactly those unless they carry a header no
 * simple request can. Our clients POST `application/json` (never simple) and are untouched;
 * graphql-ws never passes through here (its credentials are in connection_init, which a
 * browser does not fill in on its own).
 */
export function csrfPrevention(): Plugin {
  const yogaPlugin = useCSRFPrevention({ requestHeaders: [csrfHeader] });
  return {
    onRequestParse(payload) {
      try {
        return yogaPlugin.onRequestParse?.(payload);
      } catch {
        // Yoga's error carries no code; ours says what to send.
        throw createGraphQLError(`Required CSRF header not present: a GET or form request must carry an "${csrfHeader}" header (or POST application/json).`, {
          extensions: { code: "CsrfHeaderMissing", http: { status: 403 } },
        });
      }
    },
  };
}

import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { currentRequestId } from "./request-id.js";

/** AWS's words for a failure the caller cannot act on. */
export const internalFailureMessage = "The request processing has failed because of an unknown error, exception or failure.";

/**
 * What a client sees of an unexpected error: AWS's InternalFailure and the request id, never
 * the message or stack (they name tables, files and library internals). The original goes to
 * the log under the same request id, so a client's report can be matched to it.
 */
export function internalFailure(logger: Logger, original: unknown, where?: unknown): GraphQLError {
  const requestId = currentRequestId();
  logger.error({ err: original, requestId }, "unexpected error in a request");
  // Which field failed (path, locations) is the client's own query, safe to give back.
  const at = where instanceof GraphQLError ? where : undefined;
  return new GraphQLError(internalFailureMessage, {
    ...(at?.nodes ? { nodes: at.nodes } : {}),
    ...(at?.source ? { source: at.source } : {}),
    ...(at?.positions ? { positions: at.positions } : {}),
    ...(at?.path ? { path: at.path } : {}),
    extensions: { code: "InternalFailure", ...(requestId ? { requestId } : {}) },
  });
}

/**
 * Errors thrown by a plugin's `onRequest` or `onResponse` hook (authentication reading a key
 * while the database is down) escape Yoga's masking: the HTTP adapter would answer 500 with the
 * error's stack as the body. Each such hook is wrapped so the failure is masked, logged and
 * answered like any other.
 */
export function maskHookFailures<P extends Plugin>(plugins: readonly P[], logger: Logger): P[] {
  const failed = (fetchAPI: { Response: typeof Response }, err: unknown) => {
    const masked = internalFailure(logger, err);
    return new fetchAPI.Response(JSON.stringify({ errors: [{ message: masked.message, extensions: masked.extensions }] }), {
      status: 500,
      headers: { "content-type": "application/json" },
    });
  };
  return plugins.map((plugin) => {
    const { onRequest, onResponse } = plugin;
    if (!onRequest && !onResponse) return plugin;
    return {
      ...plugin,
      ...(onRequest && {
        async onRequest(payload) {
          try {
            await onRequest(payload);
          } catch (err) {
            payload.endResponse(failed(payload.fetchAPI, err));
          }
        },
      }),
      ...(onResponse && {
        async onResponse(payload) {
          try {
            await onResponse(payload);
          } catch (err) {
            payload.setResponse(failed(payload.fetchAPI, err));
          }
        },
      }),
    } as P;
  });
}

import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { currentRequestId } from "./request-id.js";

/** AWS's words for a failure the caller cannot act on. */
export const internalFailureMessage = "The request processing has failed because of an unknown error, exception or failure.";

/**
 * What a client sees of an unexpected error: AWS's InternalFailure and the request id, never
 * the message or stack (they name tables, files and library internals). The original goes to
 * the log under the same request id, so a client's report can be matched to it.
 */
export function internalFailure(logger: Logger, original: unknown): GraphQLError {
  const requestId = currentRequestId();
  logger.error({ err: original, requestId }, "unexpected error in a request");
  return new GraphQLError(internalFailureMessage, { extensions: { code: "InternalFailure", ...(requestId ? { requestId } : {}) } });
}

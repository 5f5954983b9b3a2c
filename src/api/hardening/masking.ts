import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { DomainError } from "../../domain/shared/domain-error.js";
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
  // A hook that finishes synchronously stays synchronous: an async wrapper would cost every
  // request a promise and a microtask turn per hook (issue 17's HTTP overhead), for nothing.
  const guarded = <T>(hook: (payload: T) => unknown, onFailure: (payload: T, err: unknown) => void) =>
    (payload: T): unknown => {
      let returned: unknown;
      try {
        returned = hook(payload);
      } catch (err) {
        onFailure(payload, err);
        return undefined;
      }
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then !== "function") return returned;
      return Promise.resolve(returned).then(undefined, (err: unknown) => onFailure(payload, err));
    };
  return plugins.map((plugin) => {
    const { onRequest, onResponse } = plugin;
    if (!onRequest && !onResponse) return plugin;
    return {
      ...plugin,
      ...(onRequest && { onRequest: guarded(onRequest, (payload, err) => payload.endResponse(failed(payload.fetchAPI, err))) }),
      ...(onResponse && { onResponse: guarded(onResponse, (payload, err) => payload.setResponse(failed(payload.fetchAPI, err))) }),
    } as P;
  });
}

/**
 * An error GraphQL itself raised (syntax, validation, variable coercion — possibly wrapping
 * another such error), safe to show; anything wrapping a thrown exception is not.
 */
export function isGraphQLOwnError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isGraphQLOwnError(error.originalError);
}

/**
 * A GraphQL error as the client may see it: Yoga's request parser puts the exception it caught
 * into `extensions.originalError` (`{"name":"SyntaxError","message":…}` for a body that is not
 * JSON) — a library's internals, dropped here; the message and code say what was wrong.
 */
export function withoutInternals(error: GraphQLError): GraphQLError {
  if (!error.extensions || !("originalError" in error.extensions)) return error;
  const { originalError: _internal, http, ...rest } = error.extensions as Record<string, unknown> & { http?: Record<string, unknown> };
  // Yoga answers an application/json error 200 when it is "spec" and carries no originalError;
  // the status it had (400) is kept by dropping that flag with the internals.
  const { spec: _spec, ...status } = http ?? {};
  const extensions = http ? { ...rest, http: status } : rest;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions,
  });
}

/** The code of a client's mistake or a refusal — the service worked — or undefined for a real failure. */
function clientErrorCode(error: unknown): string | undefined {
  if (error instanceof DomainError) return error.code;
  if (!(error instanceof GraphQLError)) return undefined;
  if (error.originalError instanceof DomainError) return error.originalError.code;
  if (isGraphQLOwnError(error)) return typeof error.extensions?.["code"] === "string" ? error.extensions["code"] : "GRAPHQL_ERROR";
  return undefined;
}

/**
 * Yoga's error log, leveled. Yoga logs every error its masking replaced, and a DomainError
 * (AccessDenied, NoSuchEntity, InvalidInput…) or a GraphQL validation error is replaced too — by
 * its client-facing form. Those are the service working: info, AccessDenied at warn (someone
 * tried what they may not). Anything else stays an error (its details were already logged by
 * `internalFailure` under the same request id).
 */
export function yogaErrorLog(logger: Logger): (...args: unknown[]) => void {
  return (...args) => {
    const requestId = currentRequestId();
    const codes = args.map(clientErrorCode);
    if (args.length > 0 && codes.every((c) => c !== undefined)) {
      const refusals = args.map((a, i) => ({ code: codes[i], message: (a as Error).message, ...(a instanceof GraphQLError && a.path ? { path: a.path } : {}) }));
      const level = codes.includes("AccessDenied") ? "warn" : "info";
      logger[level]({ refusals, requestId }, "request refused");
      return;
    }
    logger.error({ args, requestId }, "yoga");
  };
}

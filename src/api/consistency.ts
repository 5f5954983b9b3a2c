import { GraphQLError, type DocumentNode, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ConsistencyTimeout, type ProjectionWatermark } from "../projections/watermark.js";

export interface ConsistencyOptions {
  /** Wait used when the client names none (ms). */
  readonly defaultTimeoutMs: number;
  /** Longest wait a client may ask for (ms). */
  readonly maxTimeoutMs: number;
}

/**
 * Read-your-writes for every operation without touching any field: the client sends the position
 * a mutation returned, as `extensions.consistency.atLeast` (optionally `timeoutMs`) or as the
 * header `x-iamgraph-at-least`, and the operation runs only once THIS instance has applied the
 * log that far (its caches and subscriptions included: watermark.ts) — so a position returned by
 * one instance can be read on another. Every result reports, as `extensions.position`, the
 * position this instance had applied when it answered (a lower bound: the read may already see
 * later writes). A wait that runs out answers with the error code ConsistencyTimeout and runs nothing.
 */
export function consistencyPlugin(watermark: ProjectionWatermark, options: ConsistencyOptions): Plugin {
  // Whether a document is a mutation, once per parsed document (Yoga caches those by text).
  const mutations = new WeakMap<DocumentNode, boolean>();
  const isMutation = (document: DocumentNode) => {
    let found = mutations.get(document);
    if (found === undefined) mutations.set(document, (found = document.definitions.some((d) => d.kind === "OperationDefinition" && d.operation === "mutation")));
    return found;
  };
  // A mutation's own writes are applied here by the time it answers (the pipeline waits for
  // the feed), so it reports the watermark then; a query keeps the one from its start (a lower bound of what it read).
  const reporting = (position: number, mutation: boolean) => ({
    onExecuteDone({ result, setResult }: { result: unknown; setResult: (result: ExecutionResult) => void }) {
      if (Symbol.asyncIterator in (result as object)) return;
      const single = result as ExecutionResult;
      setResult({ ...single, extensions: { ...single.extensions, position: mutation ? Math.max(position, watermark.known) : position } });
    },
  });
  return {
    // Synchronous unless the client asked to wait: no promise for an ordinary operation.
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as { request?: Request; params?: { extensions?: Record<string, unknown> } };
      const asked = requested(ctx);
      if (asked instanceof GraphQLError) {
        setResultAndStopExecution({ errors: [asked] });
        return;
      }
      const mutation = isMutation(args.document as DocumentNode);
      if (!asked) return reporting(watermark.known, mutation);
      const timeoutMs = Math.min(asked.timeoutMs ?? options.defaultTimeoutMs, options.maxTimeoutMs);
      return watermark.waitFor(asked.atLeast, timeoutMs).then(
        (position) => reporting(position, mutation),
        (err: unknown) => {
          if (!(err instanceof ConsistencyTimeout)) throw err;
          const extensions = { code: "ConsistencyTimeout", atLeast: err.atLeast, reached: err.reached, timeoutMs };
          setResultAndStopExecution({ errors: [new GraphQLError(err.message, { extensions })], extensions: { position: err.reached } });
          return undefined;
        },
      );
    },
  };
}

function requested(ctx: { request?: Request; params?: { extensions?: Record<string, unknown> } }): { atLeast: number; timeoutMs?: number } | GraphQLError | undefined {
  const fromBody = ctx.params?.extensions?.consistency as { atLeast?: unknown; timeoutMs?: unknown } | undefined;
  const header = ctx.request?.headers?.get?.("x-iamgraph-at-least") ?? null;
  const raw = fromBody?.atLeast ?? header;
  if (raw == null) return undefined;
  const atLeast = Number(raw);
  if (!Number.isSafeInteger(atLeast) || atLeast < 0) return invalid(`consistency.atLeast must be a position (a non-negative integer), got ${JSON.stringify(raw)}`);
  if (fromBody?.timeoutMs == null) return { atLeast };
  const timeoutMs = Number(fromBody.timeoutMs);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return invalid(`consistency.timeoutMs must be a non-negative number of milliseconds`);
  return { atLeast, timeoutMs };
}

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "InvalidInput" } });
}

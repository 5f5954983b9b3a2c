import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Plugin } from "graphql-yoga";

/**
 * One id per request: the client's `x-request-id` when it is a plausible id, a new UUID
 * otherwise. It is stored in every event's metadata, written on every log line about the
 * request, put on masked errors and echoed in the `x-request-id` response header, so a client
 * can quote it and an operator can find the log line.
 */
export const requestIdHeader = "x-request-id";

// Letters, digits and a few separators, at most 128: nothing that can forge a log line or a header.
const plausibleId = /^[A-Za-z0-9._:@=+\/-]{1,128}$/;

const current = new AsyncLocalStorage<string>();

/** The id of the request being handled on this async path, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

/** The request's id: the one already chosen for it on this async path, or the client's, or a new one. */
export function requestIdOf(request: Request): string {
  return current.getStore() ?? sanitizedRequestId(request.headers.get(requestIdHeader)) ?? randomUUID();
}

export function sanitizedRequestId(header: string | null | undefined): string | undefined {
  return header != null && plausibleId.test(header) ? header : undefined;
}

/**
 * Chooses the id as the request arrives and keeps it for everything that runs on its behalf
 * (AsyncLocalStorage), so error masking, which sees no context, can still name it. Operations
 * that arrive without an HTTP request (graphql-ws) carry it in their context instead.
 */
export function requestIdPlugin(): Plugin<{ requestId?: string }> {
  const enter = <T>(requestId: string | undefined, wrapped: () => T): T =>
    requestId && current.getStore() !== requestId ? current.run(requestId, wrapped) : wrapped();
  return {
    instrumentation: {
      request: ({ request }, wrapped) => enter(requestIdOf(request), wrapped),
      execute: ({ context }, wrapped) => enter(context.requestId, wrapped),
      subscribe: ({ context }, wrapped) => enter(context.requestId, wrapped),
    },
    onResponse({ request, response }) {
      response.headers.set(requestIdHeader, requestIdOf(request));
    },
  };
}

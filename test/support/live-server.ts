import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client } from "graphql-ws";
import pino from "pino";
import { serveGraphqlWs } from "../../src/api/ws-server.js";
import { loadConfig } from "../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import type { Backend, TestDatabase } from "./databases.js";
import { wsClientOn } from "./ws-client.js";
import { rootAuthorization, testEnv } from "./root-key.js";

/** iamgraph on an ephemeral port, HTTP and WebSocket, as `iamgraph serve` runs it. */
export interface LiveServer {
  readonly app: Iamgraph;
  readonly db: TestDatabase;
  readonly url: string;
  readonly wsUrl: string;
  /** A POST to /graphql; `extensions` and headers as given. */
  request<D = any>(query: string, variables?: Record<string, unknown>, init?: { extensions?: unknown; headers?: Record<string, string> }): Promise<{ data?: D; errors?: any[]; extensions?: any }>;
  /** Runs a mutation that must succeed; returns its payload. */
  mutate(field: string, args: Record<string, unknown>, payload?: string): Promise<{ position: number } & Record<string, any>>;
  /**
   * Subscriptions open on the server as clients see them: the hub's subscribers, counting each
   * graphql-ws group (identical subscriptions sharing one hub stream) as its members.
   */
  subscriptions(): number;
  /** A graphql-ws client authenticated with `authorization` (default: the test root key; null: none). */
  wsClient(authorization?: string | null): Client;
  close(): Promise<void>;
}

export async function startLiveServer(backend: Backend, options: Parameters<typeof startIamgraph>[1] = {}): Promise<LiveServer> {
  const db = await backend.open();
  const app = await startIamgraph(loadConfig(testEnv), { db, migrate: false, logger: pino({ level: "silent" }), ...options });
  const server = createServer(app.yoga);
  const ws = serveGraphqlWs(server, app.yoga, app.authenticator);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  const clients: Client[] = [];
  const request: LiveServer["request"] = async (query, variables, init = {}) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: rootAuthorization, ...init.headers },
      body: JSON.stringify({ query, variables, ...(init.extensions ? { extensions: init.extensions } : {}) }),
    });
    return (await response.json()) as never;
  };
  return {
    app,
    db,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    request,
    subscriptions() {
      const groups = ws.groups.stats();
      return app.live.stats().subscribers - groups.groups + groups.members;
    },
    async mutate(field, args, payload = "PositionPayload") {
      const params = Object.keys(args).map((k) => `${k}: $${k}`).join(", ");
      const decls = Object.entries(args).map(([k, v]) => `$${k}: ${typeof v === "boolean" ? "Boolean" : "String"}!`).join(", ");
      const selection = payload === "PositionPayload" ? "position" : `position ${payload === "UserPayload" ? "user { arn userId }" : payload === "GroupPayload" ? "group { arn groupId }" : payload === "PolicyPayload" ? "policy { arn }" : payload === "RolePayload" ? "role { arn }" : "__typename"}`;
      const r = await request(`mutation (${decls}) { ${field}(${params}) { __typename ... on ${payload} { ${selection} } ... on IamError { code message } } }`, args);
      if (r.errors) throw new Error(`${field}: ${JSON.stringify(r.errors)}`);
      const result = r.data[field];
      if (result.__typename === "IamError") throw new Error(`${field} refused: ${result.code} ${result.message}`);
      return result;
    },
    wsClient(authorization: string | null = rootAuthorization) {
      const client = wsClientOn(port, authorization);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await db.dispose();
    },
  };
}

/** Messages a subscription received, with a way to wait for a number of them. */
export interface Collector<T = any> {
  readonly messages: T[];
  readonly errors: unknown[];
  /** Resolves once `n` messages arrived (fails after a timeout with what did arrive). */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the subscription completes or errors. */
  readonly done: Promise<void>;
  stop(): void;
}

function collector<T>(): Collector<T> & { push(m: T): void; fail(e: unknown): void; complete(): void; onStop(f: () => void): void } {
  const messages: T[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  let stopper = () => undefined as void;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const wake = () => waiters.splice(0).forEach((w) => w());
  return {
    messages,
    errors,
    done,
    push(m) {
      messages.push(m);
      wake();
    },
    fail(e) {
      errors.push(e);
      finish();
      wake();
    },
    complete() {
      finish();
      wake();
    },
    onStop(f) {
      stopper = f;
    },
    stop() {
      stopper();
    },
    async waitFor(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors.map(String))}; got ${JSON.stringify(messages)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} messages, got ${messages.length}: ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return messages.slice(0, n);
    },
  };
}

/** Subscribes over graphql-ws; messages are the `data` of each result (errors are collected). */
export async function subscribeWs<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Collector<T>> {
  const c = collector<T>();
  const field = /\{\s*(\w+)/.exec(query)![1]!;
  const unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (r) => (r.errors ? c.fail(r.errors) : c.push(r.data![field]!)),
      error: (e) => c.fail(e),
      complete: () => c.complete(),
    },
  );
  c.onStop(unsubscribe);
  await settle();
  return c;
}

/** Subscribes over GraphQL over SSE (Yoga's `text/event-stream` answer to a POST). */
export async function subscribeSse<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  authorization: string | null = rootAuthorization,
): Promise<Collector<T>> {
  const c = collector<T>();
  const field = /\{\s*(\w+)/.exec(query)![1]!;
  const abort = new AbortController();
  c.onStop(() => abort.abort());
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!response.headers.get("content-type")?.includes("text/event-stream")) throw new Error(`not an event stream: ${await response.text()}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
          if (event === "complete") c.complete();
          else if (data) {
            const r = JSON.parse(data);
            if (r.errors) c.fail(r.errors);
            else c.push(r.data[field]);
          }
        }
      }
      c.complete();
    } catch (err) {
      if (!abort.signal.aborted) c.fail(err);
    }
  })();
  await settle();
  return c;
}

/** Gives the server a moment to register a subscription that was just sent. */
export async function settle(ms = 50): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Waits until the server holds at least `n` subscriptions (a subscription is registered asynchronously). */
export async function untilSubscribers(s: LiveServer, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (s.subscriptions() < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} subscribers, have ${s.subscriptions()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until every subscription has been released on the server (clients stop asynchronously). */
export async function untilIdle(s: LiveServer, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (s.subscriptions() > 0 || s.app.live.stats().subscribers > 0) {
    if (Date.now() > deadline) throw new Error(`${s.subscriptions()} subscriptions still open`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

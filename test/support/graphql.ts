import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import pino from "pino";
import type { IamgraphYoga } from "../../src/api/yoga.js";
import { loadConfig } from "../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import type { OidcKeysOptions } from "../../src/sts/oidc-keys.js";
import type { Backend, TestDatabase } from "./databases.js";
import { rootAuthorization, testEnv } from "./root-key.js";

/** What a GraphQL-over-HTTP response carries, with the body already parsed. */
export interface GraphQLResponse<D = any> {
  readonly status: number;
  readonly contentType: string | null;
  readonly data?: D;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** A client for the /graphql endpoint; `post` sends a raw body for the malformed-request cases. */
export interface GraphQLClient {
  readonly transport: "yoga.fetch" | "http";
  request<D = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<D>>;
  post(body: string, headers?: Record<string, string>): Promise<Response>;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * `authorization` is sent with every request unless a call overrides it (null: send none).
 * Clients made by the helpers below are signed with the test root key unless said otherwise.
 */
function clientOver(transport: GraphQLClient["transport"], url: string, fetchFn: Fetch, authorization: string | null = rootAuthorization): GraphQLClient {
  const post: GraphQLClient["post"] = (body, headers = {}) =>
    fetchFn(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...(authorization ? { authorization } : {}), ...headers },
    });
  return {
    transport,
    post,
    async request(query, variables, headers) {
      const response = await post(JSON.stringify({ query, variables }), headers);
      const text = await response.text();
      let body: { data?: unknown; errors?: GraphQLResponse["errors"] };
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status}: not JSON: ${text.slice(0, 500)}`);
      }
      return { status: response.status, contentType: response.headers.get("content-type"), ...body } as GraphQLResponse;
    },
  };
}

/** In-process: the request goes straight into Yoga, no port opened. */
export function fetchClient(yoga: IamgraphYoga, authorization: string | null = rootAuthorization): GraphQLClient {
  return clientOver("yoga.fetch", "http://iamgraph.test/graphql", (url, init) => Promise.resolve(yoga.fetch(url, init)), authorization);
}

/** Over a real socket: Yoga served by node:http on an ephemeral port. */
export async function httpClient(
  yoga: IamgraphYoga,
  authorization: string | null = rootAuthorization,
): Promise<GraphQLClient & { readonly url: string; close(): Promise<void> }> {
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    ...clientOver("http", url, fetch, authorization),
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A running iamgraph over a fresh, migrated test database of the given backend. */
export interface TestApp {
  readonly app: Iamgraph;
  readonly db: TestDatabase;
  /** Signed with the test root key. */
  readonly client: GraphQLClient;
  /** Sends no credentials at all. */
  anonymousClient(): GraphQLClient;
  /** Signed with the given key (a user's, or a wrong/deleted one). */
  clientWith(accessKeyId: string, secretAccessKey: string): GraphQLClient;
  /** Rows in the event log; a refused command must leave it unchanged. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestApp(
  backend: Backend,
  options: { transport?: GraphQLClient["transport"]; onQuery?: (sql: string) => void; logger?: Logger; now?: () => Date; oidc?: OidcKeysOptions; env?: Readonly<Record<string, string>>; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.db ?? (await backend.open(options.onQuery ? { onQuery: options.onQuery } : {}));
  const config = loadConfig({ ...testEnv, ...options.env });
  const app = await startIamgraph(config, { db, migrate: false, logger: options.logger ?? pino({ level: "silent" }), ...(options.now ? { now: options.now } : {}), ...(options.oidc ? { oidc: options.oidc } : {}) });
  const http = options.transport === "http" ? await httpClient(app.yoga) : undefined;
  const clientSignedWith = (authorization: string | null): GraphQLClient =>
    http ? clientOver("http", http.url, fetch, authorization) : fetchClient(app.yoga, authorization);
  return {
    app,
    db,
    client: http ?? fetchClient(app.yoga),
    anonymousClient: () => clientSignedWith(null),
    clientWith: (accessKeyId, secretAccessKey) => clientSignedWith(basicAuthorization(accessKeyId, secretAccessKey)),
    eventCount: () => db.prisma.event.count(),
    async close() {
      await http?.close();
      await app.close();
      await db.dispose();
    },
  };
}

/** The payload of a mutation that must have succeeded; fails with the IamError otherwise. */
export function ok<T = any>(response: GraphQLResponse, field: string): T {
  if (response.errors) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  const result = response.data?.[field];
  if (result?.__typename === "IamError") throw new Error(`${field} refused: ${result.code}: ${result.message}`);
  return result as T;
}

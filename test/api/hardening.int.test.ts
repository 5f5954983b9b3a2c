import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createClient } from "graphql-ws";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { internalFailureMessage } from "../../src/api/hardening/masking.js";
import { serveGraphqlWs } from "../../src/api/ws-server.js";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { loadConfig } from "../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { fetchClient, httpClient, ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";
import { rootAuthorization, testEnv } from "../support/root-key.js";

// Hostile clients (issue 6, hardening): every refusal names its code and exact message, writes
// nothing, and leaves the server answering. Default limits (src/api/hardening/config.ts): depth
// 12, aliases 50, tokens 2000, directives 20, cost 100 000, 1000 requests/s per key.

const limit = (message: string) => [{ message, extensions: { code: "QueryLimitExceeded" } }];
const aliases = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => field(i)).join(" ");
/** users → edges → node, then groups/users alternating: a real, valid path `levels` deeper. */
function deepQuery(levels: number): string {
  let selection = levels % 2 === 0 ? "userName" : "groupName";
  for (let i = levels; i > 0; i--) selection = `${i % 2 === 1 ? "groups" : "users"} { ${selection} }`;
  return `{ users { edges { node { ${selection} } } } }`;
}
const eventFields = "position streamId streamVersion type schemaVersion payload occurredAt metadata { actor accessKeyId requestId correlationId causationId }";
const createUser = (name: string) => `mutation { r: createUser(userName: "${name}") { __typename ... on IamError { code message } } }`;
const apiHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function logCapture() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

describe.each(backends)("hardening ($name)", (backend) => {
  let t: TestApp;
  let client: GraphQLClient;
  /** Same database, small limits from the environment: 1 request/s per key, burst 3. */
  let small: Iamgraph;
  /** The small instance's rate-limit clock: time passes only when a test moves it. */
  let clockMs = 1_000_000;
  beforeAll(async () => {
    t = await startTestApp(backend);
    client = t.client;
    ok(await client.request(createUser("Alice")), "r");
    small = await startIamgraph(loadConfig({ ...testEnv, IAMGRAPH_RATE_LIMIT_RPS: "1", IAMGRAPH_RATE_LIMIT_BURST: "3", IAMGRAPH_MAX_DEPTH: "4" }), {
      db: t.db,
      migrate: false,
      logger: pino({ level: "silent" }),
      rateLimitClock: () => clockMs,
    });
  });
  afterAll(async () => {
    await small?.close();
    await t?.close();
  });

  async function expectNothingWritten(attempt: () => Promise<void>) {
    const before = await t.eventCount();
    await attempt();
    expect(await t.eventCount()).toBe(before);
    expect((await client.request(`{ user(userName: "Alice") { userName } }`)).data).toEqual({ user: { userName: "Alice" } });
  }

  describe("document limits: refused before validation and execution, HTTP 400, QueryLimitExceeded", () => {
    test("depth bomb", async () => {
      await expectNothingWritten(async () => {
        const response = await client.request(deepQuery(20));
        expect(response).toMatchObject({ status: 400 });
        expect(response.errors).toEqual(limit("Query depth limit of 12 exceeded, found 24."));
        expect(response.data).toBeUndefined();
      });
    });

    test("a mutation nested too deep writes nothing", async () => {
      await expectNothingWritten(async () => {
        const response = await client.request(`mutation { createUser(userName: "Deep") { ... on UserPayload { user { ${deepQuery(12).slice(2, -2)} } } } }`);
        expect(response.errors).toEqual(limit("Query depth limit of 12 exceeded, found 19."));
      });
    });

    test("a thousand repeats of one field (OverlappingFieldsCanBeMerged gives up) is QueryLimitExceeded, not a bare 'Validation aborted'", async () => {
      const response = await client.request(`{ callerIdentity { ${Array.from({ length: 1000 }, () => "arn").join(" ")} } }`);
      expect(response).toMatchObject({ status: 400 });
      expect(response.errors).toEqual(
        limit("Query too complex to validate: too many fields of the same name in one selection (repeated, or through fragments). Merge or alias them."),
      );
      // A few repeats are ordinary GraphQL (they merge).
      expect((await client.request(`{ callerIdentity { arn arn arn } }`)).data).toEqual({ callerIdentity: { arn: "arn:aws:iam::123456789012:root" } });
    });

    test("depth is configurable (IAMGRAPH_MAX_DEPTH=4)", async () => {
      const response = await fetchClient(small.yoga).request(deepQuery(2));
      expect(response.errors).toEqual(limit("Query depth limit of 4 exceeded, found 6."));
    });

    test("alias bomb, query and mutation", async () => {
      await expectNothingWritten(async () => {
        const query = await client.request(`{ ${aliases(300, (i) => `a${i}: callerIdentity { arn }`)} }`);
        expect(query).toMatchObject({ status: 400 });
        expect(query.errors).toEqual(limit("Aliases limit of 50 exceeded, found 300."));
        const mutation = await client.request(`mutation { ${aliases(60, (i) => `u${i}: createUser(userName: "bomb${i}") { __typename }`)} }`);
        expect(mutation.errors).toEqual(limit("Aliases limit of 50 exceeded, found 60."));
      });
    });

    test("token bomb: parsing stops at the limit", async () => {
      await expectNothingWritten(async () => {
        const response = await client.request(`{ ${"__typename ".repeat(10_000)} }`);
        expect(response).toMatchObject({ status: 400 });
        expect(response.errors).toEqual(limit("Token limit of 2000 exceeded."));
        const mutation = await client.request(`mutation { r: createUser(userName: "tokens", tags: [${'{ key: "k", value: "v" } '.repeat(300)}]) { __typename } }`);
        expect(mutation.errors).toEqual(limit("Token limit of 2000 exceeded."));
      });
    });

    test("directive bomb", async () => {
      const response = await client.request(`{ ${aliases(30, (i) => `f${i}: __typename @include(if: true)`)} }`);
      expect(response).toMatchObject({ status: 400 });
      expect(response.errors).toEqual(limit("Directives limit of 20 exceeded, found 30."));
    });

    test("cost bomb: two full pages of the event log with every field", async () => {
      const page = `events(first: 1000) { edges { node { ${eventFields} } } }`;
      const response = await client.request(`{ a: ${page} b: ${page} }`);
      expect(response).toMatchObject({ status: 400 });
      expect(response.errors).toEqual(limit("Query cost limit of 100000 exceeded, found 130375."));
      // One such page is an ordinary request.
      expect((await client.request(`{ ${page} }`)).errors).toBeUndefined();
    });

    test("the deepest queries the suite sends stay legal", async () => {
      const response = await client.request(`{
        accountAuthorizationDetails {
          userDetailList { userName groupList attachedManagedPolicies { policyName } userPolicyList { policyName } permissionsBoundary { permissionsBoundaryArn } tags { key value } }
          groupDetailList { groupName attachedManagedPolicies { policyName } groupPolicyList { policyName } }
          policies { policyName policyVersionList { versionId isDefaultVersion } }
        }
        users(first: 100) { edges { node { userName tags { key } groups { groupName users { userName groups { groupName } } } } } }
      }`);
      expect(response.errors).toBeUndefined();
      expect(response.data.users.edges).toEqual([{ node: { userName: "Alice", tags: [], groups: [] } }]);
    });
  });

  describe("bodies", () => {
    test("an oversized document under the body limit stops at the token limit", async () => {
      const response = await client.request(`{ ${aliases(50_000, (i) => `f${i}: __typename`)} }`);
      expect(response.errors).toEqual(limit("Token limit of 2000 exceeded."));
    });

    test("an oversized body is refused with 413, with a Content-Length and chunked", async () => {
      const http = await httpClient(t.app.yoga);
      try {
        await expectNothingWritten(async () => {
          const body = JSON.stringify({ query: createUser("big"), variables: { pad: "x".repeat(1_100_000) } });
          const declared = await http.post(body);
          expect(declared.status).toBe(413);
          expect(await declared.json()).toEqual({ errors: [{ message: `Request body of ${Buffer.byteLength(body)} bytes exceeds the limit of 1000000 bytes`, extensions: { code: "InvalidInput" } }] });
          const chunked = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
            const req = httpRequest(http.url, { method: "POST", headers: { "content-type": "application/json", authorization: rootAuthorization, "transfer-encoding": "chunked" } }, (res) => {
              let text = "";
              res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
            });
            req.on("error", reject);
            for (let i = 0; i < body.length; i += 64_000) req.write(body.slice(i, i + 64_000));
            req.end();
          });
          expect(chunked.status).toBe(413);
          expect(JSON.parse(chunked.body)).toEqual({ errors: [{ message: "Request body exceeds the limit of 1000000 bytes", extensions: { code: "InvalidInput" } }] });
          expect(chunked.headers).toMatchObject(apiHeaders);
        });
      } finally {
        await http.close();
      }
    });

    test.each([
      { name: "truncated JSON", body: '{"query": "mutation { createUser(userName: \\"x\\") { __typename } }"', message: "POST body sent invalid JSON." },
      { name: "not JSON at all", body: "mutation { createUser(userName: \"x\") { __typename } }", message: "POST body sent invalid JSON." },
      { name: "a JSON string", body: '"mutation"', message: "POST body is expected to be object but received string" },
    ])("malformed JSON ($name) → 400 BAD_REQUEST", async ({ body, message }) => {
      await expectNothingWritten(async () => {
        const response = await client.post(body);
        expect(response.status).toBe(400);
        // Typed, without internals: Yoga's extensions.originalError (the JSON parser's SyntaxError) is dropped.
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] });
        expect(text).not.toMatch(/\bat \S+ \(|node_modules|stack/);
      });
    });

    test("a batch (array body) is refused: one request, one operation", async () => {
      await expectNothingWritten(async () => {
        const response = await client.post(JSON.stringify([{ query: createUser("b1") }, { query: createUser("b2") }]));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ errors: [{ message: "Batching is not supported.", extensions: { code: "BAD_REQUEST" } }] });
      });
    });

    test("variables nested 100 000 deep: parsed without a stack overflow, ignored when undeclared", async () => {
      const response = await client.post(`{"query": "{ __typename }", "variables": {"v": ${"[".repeat(100_000)}${"]".repeat(100_000)}}}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ data: { __typename: "Query" } });
    });
  });

  describe("CSRF: browser-simple requests need the x-graphql-yoga-csrf header", () => {
    const csrfRefusal = {
      errors: [{ message: 'Required CSRF header not present: a GET or form request must carry an "x-graphql-yoga-csrf" header (or POST application/json).', extensions: { code: "CsrfHeaderMissing" } }],
    };

    test("GET without the header → 403; with it → served", async () => {
      const url = `http://iamgraph.test/graphql?query=${encodeURIComponent("{ callerIdentity { arn } }")}`;
      const refused = await t.app.yoga.fetch(url, { headers: { authorization: rootAuthorization } });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual(csrfRefusal);
      const served = await t.app.yoga.fetch(url, { headers: { authorization: rootAuthorization, "x-graphql-yoga-csrf": "1" } });
      expect(served.status).toBe(200);
      expect((await served.json()).data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:root");
    });

    test.each(["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"])("a %s POST (no preflight in a browser) → 403, nothing written", async (contentType) => {
      await expectNothingWritten(async () => {
        const response = await client.post(`query=${encodeURIComponent(createUser("csrf"))}`, { "content-type": contentType });
        expect(response.status).toBe(403);
        expect(await response.json()).toEqual(csrfRefusal);
      });
    });
  });

  describe("rate limit per access key (1 request/s, burst 3)", () => {
    test("the fourth request at once → 429 Throttling with Retry-After, nothing written; another key is not affected; it recovers", async () => {
      const key = ok(await client.request(`mutation { createAccessKey(userName: "Alice") { __typename ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } ... on IamError { code message } } }`), "createAccessKey").accessKey;
      const root = fetchClient(small.yoga);
      const alice = fetchClient(small.yoga, basicAuthorization(key.accessKeyId, key.secretAccessKey));
      await expectNothingWritten(async () => {
        for (let i = 0; i < 3; i++) expect((await root.request(`{ callerIdentity { arn } }`)).status).toBe(200);
        const throttled = await root.post(JSON.stringify({ query: createUser("throttled") }));
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get("retry-after")).toBe("1");
        expect(await throttled.json()).toEqual({ errors: [{ message: "Rate exceeded", extensions: { code: "Throttling" } }] });
      });
      expect((await alice.request(`{ callerIdentity { arn } }`)).data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:user/Alice");
      // 999 ms later the bucket holds 0.999 tokens: still throttled, and told to wait 1 s.
      clockMs += 999;
      const early = await root.request(`{ callerIdentity { arn } }`);
      expect(early.status).toBe(429);
      // One more millisecond earns the token back: one request, then throttled again.
      clockMs += 1;
      expect((await root.request(`{ callerIdentity { arn } }`)).status).toBe(200);
      expect((await root.request(`{ callerIdentity { arn } }`)).status).toBe(429);
      // After a quiet 3 s the whole burst is back.
      clockMs += 3_000;
      for (let i = 0; i < 3; i++) expect((await root.request(`{ callerIdentity { arn } }`)).status).toBe(200);
      expect((await root.request(`{ callerIdentity { arn } }`)).status).toBe(429);
    });
  });

  describe("request id and security headers", () => {
    test("every response carries the security headers and echoes the request id; no HSTS over plain HTTP", async () => {
      const responses = [
        await client.post(JSON.stringify({ query: "{ callerIdentity { arn } }" }), { "x-request-id": "client-chosen-42" }),
        await t.anonymousClient().post(JSON.stringify({ query: "{ callerIdentity { arn } }" }), { "x-request-id": "client-chosen-42" }),
        await client.post(JSON.stringify({ query: deepQuery(20) }), { "x-request-id": "client-chosen-42" }),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 401, 400]);
      for (const response of responses) {
        expect(Object.fromEntries(response.headers)).toMatchObject({ ...apiHeaders, "x-request-id": "client-chosen-42" });
        expect(response.headers.has("strict-transport-security")).toBe(false);
      }
    });

    test("a request id that could forge a log line or is too long is replaced by a new UUID", async () => {
      for (const id of ["has space", "a".repeat(129), "<script>", ""]) {
        const response = await client.post(JSON.stringify({ query: "{ __typename }" }), { "x-request-id": id });
        expect(response.headers.get("x-request-id")).toMatch(uuid);
      }
    });

    test("HSTS only over TLS", async () => {
      const response = await t.app.yoga.fetch("https://iamgraph.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: rootAuthorization },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    });

    test("GraphiQL in development is served with a policy that lets it load", async () => {
      const page = await t.app.yoga.fetch("http://iamgraph.test/graphql", { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      // Its scripts are files of ours (src/api/console/graphiql-page.ts): no inline script, no CDN.
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self';");
      expect(page.headers.get("content-security-policy")).not.toContain("https:");
      expect(page.headers.get("x-frame-options")).toBe("DENY");
    });

    test("development keeps introspection and suggestions", async () => {
      expect((await client.request(`{ __schema { queryType { name } } }`)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
      expect((await client.request(`{ users { edges { node { userNam } } } }`)).errors?.[0]?.message).toBe('Cannot query field "userNam" on type "User". Did you mean "userName" or "userId"?');
    });
  });
});

describe.each(backends)("hardening in production ($name)", (backend) => {
  let db: TestDatabase;
  let app: Iamgraph;
  let client: GraphQLClient;
  const log = logCapture();
  beforeAll(async () => {
    db = await backend.open();
    app = await startIamgraph(loadConfig({ ...testEnv, NODE_ENV: "production" }), { db, migrate: false, logger: log.logger });
    client = fetchClient(app.yoga);
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  test("introspection is refused", async () => {
    for (const [query, field] of [
      ["{ __schema { queryType { name } } }", "__schema"],
      ['{ __type(name: "User") { name } }', "__type"],
    ] as const) {
      const response = await client.request(query);
      expect(response.status).toBe(400);
      expect(response.errors?.[0]).toEqual({
        message: `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
        locations: [{ line: 1, column: 3 }],
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      });
    }
    // Clients still read unions.
    expect((await client.request("{ __typename }")).data).toEqual({ __typename: "Query" });
  });

  test("GraphiQL is not served", async () => {
    const page = await app.yoga.fetch("http://iamgraph.test/graphql", { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type") ?? "").not.toContain("text/html");
    expect(await page.text()).not.toContain("<html");
  });

  test("no field or enum suggestions", async () => {
    const field = await client.request(`{ users { edges { node { userNam } } } }`);
    expect(field.errors).toEqual([{ message: 'Cannot query field "userNam" on type "User".', locations: [{ line: 1, column: 26 }], extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }]);
    const value = await client.request(`mutation ($s: AccessKeyStatus!) { updateAccessKey(userName: "x", accessKeyId: "AKIAAAAAAAAAAAAAAAAA", status: $s) { __typename } }`, { s: "active" });
    expect(value.errors?.map((e) => e.message)).toEqual(['Variable "$s" got invalid value "active"; Value "active" does not exist in "AccessKeyStatus" enum.']);
  });

  test("graphql-ws: queries run (CSRF concerns browsers' HTTP only), introspection is refused there too", async () => {
    const server = createServer(app.yoga);
    const ws = serveGraphqlWs(server, app.yoga, app.authenticator);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const wsClient = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: rootAuthorization }, retryAttempts: 0 });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        wsClient.subscribe({ query: "{ __schema { queryType { name } } }" }, { next: (v) => resolve(v.errors), error: resolve, complete: () => resolve(undefined) });
      });
      expect((errors as { message: string }[])[0]?.message).toBe('GraphQL introspection has been disabled, but the requested query contained the field "__schema".');
      const data = await new Promise<unknown>((resolve, reject) => {
        wsClient.subscribe({ query: "{ callerIdentity { arn } }" }, { next: (v) => resolve(v.data), error: reject, complete: () => undefined });
      });
      expect(data).toEqual({ callerIdentity: { arn: "arn:aws:iam::123456789012:root" } });
    } finally {
      await wsClient.dispose();
      await ws.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("an internal error is masked: InternalFailure, the request id, no message or stack; the original is logged with the id", async () => {
    await db.sql.exec(`ALTER TABLE users RENAME TO users_gone`);
    try {
      for (const sent of ["trace-me-7", undefined]) {
        const response = await client.post(JSON.stringify({ query: "{ users { edges { node { userName } } } }" }), sent ? { "x-request-id": sent } : {});
        const requestId = response.headers.get("x-request-id")!;
        if (sent) expect(requestId).toBe(sent);
        else expect(requestId).toMatch(uuid);
        const text = await response.text();
        expect(JSON.parse(text).errors).toEqual([{ message: internalFailureMessage, locations: [{ line: 1, column: 3 }], path: ["users"], extensions: { code: "InternalFailure", requestId } }]);
        expect(text).not.toMatch(/users_gone|relation|prisma|\bat \S+ \(|\.ts:\d+|node_modules/i);
        const logged = log.lines.find((l) => l.requestId === requestId && l.msg === "unexpected error in a request");
        expect(logged?.err?.message).toMatch(/users/);
        expect(logged?.err?.stack).toBeTypeOf("string");
      }
    } finally {
      await db.sql.exec(`ALTER TABLE users_gone RENAME TO users`);
    }
  });
});

// A client's mistake or a refusal is the service working: never an error-level log line.
describe.each(backends)("log levels of refusals ($name)", (backend) => {
  let t: TestApp;
  const log = logCapture();
  beforeAll(async () => {
    t = await startTestApp(backend, { logger: log.logger });
  });
  afterAll(() => t?.close());

  const post = (body: string) =>
    t.app.yoga.fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json", accept: "application/json", authorization: rootAuthorization }, body });
  const refusalsLogged = () => log.lines.filter((l) => l.msg === "request refused").flatMap((l) => l.refusals.map((r: { code: string }) => [l.level, r.code]));

  test("AccessDenied at warn; NoSuchEntity, InvalidInput and malformed bodies at info; validation errors not at all; nothing at error", async () => {
    const { createCaller } = await import("../support/callers.js");
    const nobody = await createCaller(t, { userName: "log-nobody" });
    log.lines.length = 0;
    expect((await nobody.client.request(`{ groupsForUser(userName: "log-nobody") { groupName } }`)).errors?.[0]?.extensions?.code).toBe("AccessDenied");
    expect((await t.client.request(`{ groupsForUser(userName: "log-ghost") { groupName } }`)).errors?.[0]?.extensions?.code).toBe("NoSuchEntity");
    expect((await t.client.request(`{ asOf(at: { position: 99999 }) { position } }`)).errors?.[0]?.extensions?.code).toBe("InvalidInput");
    expect((await t.client.request(`{ nofield }`)).errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect((await post("{not json")).status).toBe(400);
    expect(refusalsLogged()).toEqual(
      expect.arrayContaining([
        [40, "AccessDenied"],
        [30, "NoSuchEntity"],
        [30, "InvalidInput"],
        [30, "BAD_REQUEST"],
      ]),
    );
    expect(log.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

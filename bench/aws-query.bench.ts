/**
 * The AWS Query API against GraphQL on the same server, in one run: CreateUser and GetUser as
 * form POSTs to `/` (SigV4-signed, XML answers) and as createUser / user(userName) on /graphql
 * (HTTP Basic, JSON), 8 concurrent fetch clients each. Then the cost of verifying one request's
 * authentication in-process: SigV4 (canonical request, HMAC with the cached signing key) against
 * the cached Basic check (one HMAC and a comparison). Clients sign with src/aws/sigv4.ts's
 * functions, caching the day's signing key as the AWS SDKs do; client and server share the cores.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { expectedSignature, signingKey, type SignedRequestParts } from "../src/aws/sigv4.js";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, benchRootAuthorization, benchRootKey, closeServer, measure, post, row, withDatabase, type Bench, type Row } from "./support.js";

const name = "aws-query";
const clients = 8;
const form = "application/x-www-form-urlencoded; charset=utf-8";

/** A SigV4 Authorization header for a form POST, as an AWS SDK makes it. */
function signer(key: { accessKeyId: string; secretAccessKey: string }) {
  let day = "";
  let derived: Buffer = Buffer.alloc(0);
  return (url: URL, body: string, now = new Date()) => {
    const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const scopeDate = amzDate.slice(0, 8);
    if (scopeDate !== day) [day, derived] = [scopeDate, signingKey(key.secretAccessKey, scopeDate, "us-east-1", "iam")];
    const headers = new Headers({ host: url.host, "content-type": form, "x-amz-date": amzDate });
    const parts: SignedRequestParts = { accessKeyId: key.accessKeyId, scopeDate, region: "us-east-1", service: "iam", amzDate, signedHeaders: ["content-type", "host", "x-amz-date"], signature: "", presigned: false };
    const signature = expectedSignature(derived, parts, { method: "POST", url, headers, body: new TextEncoder().encode(body) });
    headers.set("authorization", `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scopeDate}/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`);
    headers.delete("host");
    return headers;
  };
}

const createUser = `mutation ($userName: String!) { createUser(userName: $userName) { __typename ... on UserPayload { user { userName userId arn path createDate tags { key value } } } ... on IamError { code message } } }`;
const getUser = `query ($userName: String!) { user(userName: $userName) { userName userId arn path createDate tags { key value } permissionsBoundary { permissionsBoundaryArn } } }`;

const bench: Bench = {
  name,
  description: `CreateUser/GetUser via the AWS Query API vs GraphQL, ${clients} concurrent clients; SigV4 vs cached Basic verification`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const app = await startIamgraph(loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", ...benchEnv }), { db, logger: pino({ level: "silent" }), migrate: false });
        const server = createServer(app.yoga);
        server.keepAliveTimeout = 60_000;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const graphql = new URL("/graphql", base).href;
        const sign = signer(benchRootKey);
        const query = async (body: string, expect: string) => {
          const response = await fetch(base, { method: "POST", headers: sign(base, body), body });
          const text = await response.text();
          if (response.status !== 200 || !text.includes(expect)) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
        };
        try {
          const n = Math.round(1500 * scale);
          const phase = { ops: n, maxSeconds: 8 * scale, concurrency: clients, warmup: 20, latency: true };
          const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
          // Alternated, so neither side always runs on a warmer process or a fuller table.
          const madeAws: string[] = [];
          const madeGql: string[] = [];
          for (const round of [0, 1]) {
            results[`aws-create-${round}`] = await measure(`${backend} CreateUser (Query API)`, phase, async (i) => {
              await query(`Action=CreateUser&Version=2010-05-08&UserName=q${round}-${i}`, "<CreateUserResult>");
              if (i >= 0) madeAws.push(`q${round}-${i}`);
            });
            results[`gql-create-${round}`] = await measure(`${backend} createUser (GraphQL)`, phase, async (i) => {
              const d = (await post(graphql, createUser, { userName: `g${round}-${i}` })) as { createUser: { __typename: string } };
              if (d.createUser.__typename !== "UserPayload") throw new Error(JSON.stringify(d));
              if (i >= 0) madeGql.push(`g${round}-${i}`);
            });
          }
          const reads = { ...phase, ops: Math.round(4000 * scale) };
          results.awsGet = await measure(`${backend} GetUser (Query API)`, reads, (i) => query(`Action=GetUser&Version=2010-05-08&UserName=${madeAws[Math.abs(i) % madeAws.length]}`, "<GetUserResult>"));
          results.gqlGet = await measure(`${backend} user (GraphQL)`, reads, async (i) => {
            const d = (await post(graphql, getUser, { userName: madeGql[Math.abs(i) % madeGql.length]! })) as { user: unknown };
            if (!d.user) throw new Error("user not found");
          });
          const best = (prefix: string) => [0, 1].map((r) => results[`${prefix}-${r}`]!).sort((a, b) => b.rate - a.rate)[0]!;
          const [awsCreate, gqlCreate] = [best("aws-create"), best("gql-create")];
          const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}% of GraphQL's rate`;
          rows.push(row(name, backend, `CreateUser via Query API (SigV4, XML), ${clients} clients`, awsCreate, pct(awsCreate.rate, gqlCreate.rate)));
          rows.push(row(name, backend, `createUser via GraphQL (Basic, JSON), ${clients} clients`, gqlCreate, "best of two alternated rounds each"));
          rows.push(row(name, backend, `GetUser via Query API, ${clients} clients`, results.awsGet!, pct(results.awsGet!.rate, results.gqlGet!.rate)));
          rows.push(row(name, backend, `user(userName) via GraphQL, ${clients} clients`, results.gqlGet!));

          // Authentication alone, in-process, sequential, caches warm.
          const body = `Action=GetUser&Version=2010-05-08&UserName=${madeAws[0]}`;
          const bytes = new TextEncoder().encode(body);
          const ops = Math.round(20_000 * scale);
          const headers = sign(base, body);
          headers.set("host", base.host);
          const signable = { method: "POST", url: base, headers, body: bytes };
          const sig = await measure(`${backend} SigV4 verification`, { ops, maxSeconds: 4 * scale, concurrency: 1, warmup: 50, latency: true }, async () => {
            const caller = await app.authenticator.authenticateSigned(signable, "bench");
            if (caller instanceof Error) throw caller;
          });
          const basic = await measure(`${backend} Basic (cached)`, { ops, maxSeconds: 4 * scale, concurrency: 1, warmup: 50, latency: true }, async () => {
            const caller = await app.authenticator.authenticate(benchRootAuthorization, "bench");
            if (caller instanceof Error) throw caller;
          });
          rows.push(row(name, backend, "SigV4 verification per request (signing key cached)", sig, `${(basic.rate / sig.rate).toFixed(1)}× the cost of cached Basic`));
          rows.push(row(name, backend, "Basic check per request (proven secret cached)", basic));
        } finally {
          await closeServer(server);
          await app.close();
        }
      });
    }
    return rows;
  },
};

export default bench;

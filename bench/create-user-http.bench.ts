/**
 * createUser over HTTP: the real server (startIamgraph + node:http) in-process on an ephemeral
 * port, 8 concurrent `fetch` clients creating uniquely named users; then `user(userName)` reads
 * of those users as a baseline. Client and server share this process (and its 2 cores).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { maxUsersPerAccount } from "../src/domain/users/decide.js";
import { startIamgraph } from "../src/runtime.js";
import { writeLockKey } from "../src/eventstore/write-lock.js";
import { benchEnv, foreignNote, formatProfile, measure, profilePg, reports, row, watchWriteLock, withDatabase, type Bench, type Row, post, closeServer } from "./support.js";

const name = "create-user-http";
const clients = 8;

const createUser = `mutation CreateUser($userName: String!) {
  createUser(userName: $userName) {
    __typename
    ... on UserPayload { position user { userId arn } }
    ... on IamError { code message }
  }
}`;
const getUser = `query GetUser($userName: String!) { user(userName: $userName) { userId arn } }`;

const bench: Bench = {
  name,
  description: `createUser mutations and user(userName) reads over HTTP, ${clients} concurrent fetch clients`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: "123456789012", ...benchEnv });
        const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
        const server = createServer(app.yoga);
        server.keepAliveTimeout = 60_000;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
        try {
          const warmup = 20;
          const creates = Math.min(Math.round(2000 * scale), maxUsersPerAccount - warmup - 200);
          const created: string[] = [];
          const userName = (i: number) => (i < 0 ? `bench-warm-${-i}` : `bench-user-${i}`);

          const { result: c, foreignPct } = await watchWriteLock(backend, writeLockKey, () =>
            measure(`${backend} createUser`, { ops: creates, maxSeconds: 10 * scale, concurrency: clients, warmup, latency: true }, async (i) => {
              const data = await post(url, createUser, { userName: userName(i) });
              const payload = (data as { createUser: { __typename: string; message?: string } }).createUser;
              if (payload.__typename !== "UserPayload") throw new Error(`createUser ${userName(i)}: ${payload.__typename} ${payload.message}`);
              created.push(userName(i));
            }),
          );
          rows.push(row(name, backend, `createUser mutation, ${clients} clients`, c, `${app.db.kind}, ${created.length} users${foreignNote(foreignPct)}`));

          const reads = Math.round(4000 * scale);
          const r = await measure(
            `${backend} user(userName)`,
            { ops: reads, maxSeconds: 6 * scale, concurrency: clients, warmup, latency: true },
            async (i) => {
              const n = created[Math.abs(i * 7919) % created.length]!;
              const data = (await post(url, getUser, { userName: n })) as { user: { userId: string } | null };
              if (!data.user) throw new Error(`user(${n}) returned null`);
            },
          );
          rows.push(row(name, backend, `user(userName) query, ${clients} clients`, r, `read baseline; create = ${((c.rate / r.rate) * 100).toFixed(0)}% of read rate`));

          if (backend === "postgres") {
            const n = Math.round(100 * scale);
            for (const [label, op] of [
              ["createUser over HTTP", (i: number) => post(url, createUser, { userName: `bench-profile-${i}` })],
              ["user(userName) over HTTP", (i: number) => post(url, getUser, { userName: created[i % created.length]! })],
            ] as const) {
              const t0 = performance.now();
              const { stats } = await profilePg(async () => {
                for (let i = 0; i < n; i++) await op(i);
              });
              reports.push(formatProfile(`PostgreSQL, ${label}, sequential requests (statements per request)`, stats, n, performance.now() - t0));
            }
          }
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


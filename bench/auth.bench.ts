/**
 * What authentication and self-authorization cost per request (issue 6 goal: < 10% of request
 * time). Two servers over the same database in this process, one run: the same GraphQL query
 * (GetUser with its groups, a typical front-end read) sent
 *   - by an IAM user whose key is already proven (cached verification) and whose 31 policies
 *     (3 groups × 10 customer-managed policies × 20 statements, plus an inline grant) are
 *     evaluated for every guarded field;
 *   - by root (authentication only: root is not evaluated, as in AWS);
 *   - to the same server with authorization disabled (no authentication, no checks) — the baseline.
 * Phases alternate (baseline, user, root, baseline, user, root) so drift hits all alike.
 * And the cost of one scrypt verification (a key's first request) vs a cached verification.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { createAccessKey } from "../src/auth/access-key-commands.js";
import { basicAuthorization } from "../src/auth/authorization-header.js";
import { hashSecret, verifySecret } from "../src/auth/secret-hash.js";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../src/runtime.js";
import { benchEnv, benchRootAuthorization, closeServer, measure, row, withDatabase, type Bench, type PhaseResult, type Row, post } from "./support.js";

const name = "auth";
const clients = 8;
const ACCOUNT = "123456789012";
const USER = "auth-bench-user";
const query = `query ($u: String!) { user(userName: $u) { userName arn groups { groupName } } }`;

async function listen(app: Iamgraph): Promise<{ server: Server; url: string }> {
  const server = createServer(app.yoga);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

const statement = (p: number, j: number) => ({
  Effect: j % 7 === 3 ? "Deny" : "Allow",
  Action: [`svc${(p + j) % 9}:Get*`, `svc${(p + j) % 9}:List*`],
  Resource: `arn:aws:svc${j % 9}:::thing-${p}/*`,
  ...(j % 4 === 1 ? { Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${p % 3}` } } } : {}),
});

const bench: Bench = {
  name,
  description: `authentication + self-authorization per request vs the same server with both off (${clients} clients, HTTP); scrypt vs cached verification`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
        const guarded = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
        const open = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false, authorization: "disabled" });
        const g = await listen(guarded);
        const o = await listen(open);
        try {
          const req = { actor: "bench" };
          await guarded.commands.handle({ type: "CreateUser", userName: USER, path: "/", tags: [{ key: "team", value: "team-1" }] }, req);
          for (let gi = 0; gi < 3; gi++) {
            await guarded.commands.handle({ type: "CreateGroup", groupName: `auth-group-${gi}`, path: "/" }, req);
            for (let m = 0; m < 10; m++) {
              const p = gi * 10 + m;
              const doc = { Version: "2012-10-17", Statement: Array.from({ length: 20 }, (_, j) => statement(p, j)) };
              await guarded.commands.handle({ type: "CreatePolicy", policyName: `auth-policy-${p}`, path: "/", policyDocument: JSON.stringify(doc), description: "", tags: [] }, req);
              await guarded.commands.handle({ type: "AttachPolicy", entityType: "group", entityName: `auth-group-${gi}`, policyArn: `arn:aws:iam::${ACCOUNT}:policy/auth-policy-${p}` }, req);
            }
            await guarded.commands.handle({ type: "AddUserToGroup", userName: USER, groupName: `auth-group-${gi}` }, req);
          }
          const grant = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:GetUser", "iam:ListGroupsForUser"], Resource: `arn:aws:iam::${ACCOUNT}:user/*` }] };
          await guarded.commands.handle({ type: "PutInlinePolicy", entityType: "user", entityName: USER, policyName: "reader", policyDocument: JSON.stringify(grant) }, req);
          const key = await createAccessKey(guarded.commands, { type: "CreateAccessKey", userName: USER }, req);
          const userAuthorization = basicAuthorization(key.accessKeyId, key.secretAccessKey);
          process.stderr.write(`  ${backend}: user in 3 groups × 10 policies × 20 statements, with an access key\n`);

          const variables = { u: USER };
          const check = (data: unknown) => {
            const user = (data as { user: { groups: unknown[] } | null }).user;
            if (!user || user.groups.length !== 3) throw new Error(`unexpected answer: ${JSON.stringify(data)}`);
          };
          const phase = { ops: 1e9, maxSeconds: 4 * scale, concurrency: clients, warmup: 50, latency: true };
          const results = { open: [] as PhaseResult[], user: [] as PhaseResult[], root: [] as PhaseResult[] };
          for (let round = 0; round < 2; round++) {
            results.open.push(await measure(`${backend} no auth #${round + 1}`, phase, async () => check(await post(o.url, query, variables))));
            results.user.push(await measure(`${backend} IAM user #${round + 1}`, phase, async () => check(await post(g.url, query, variables, userAuthorization))));
            results.root.push(await measure(`${backend} root #${round + 1}`, phase, async () => check(await post(g.url, query, variables, benchRootAuthorization))));
          }
          const merged = (rs: PhaseResult[]): PhaseResult => ({
            ops: rs.reduce((s, r) => s + r.ops, 0),
            seconds: rs.reduce((s, r) => s + r.seconds, 0),
            rate: rs.reduce((s, r) => s + r.ops, 0) / rs.reduce((s, r) => s + r.seconds, 0),
            p50Ms: rs.reduce((s, r) => s + (r.p50Ms ?? 0), 0) / rs.length,
            p99Ms: rs.reduce((s, r) => s + (r.p99Ms ?? 0), 0) / rs.length,
          });
          const base = merged(results.open);
          const user = merged(results.user);
          const root = merged(results.root);
          const overhead = (r: PhaseResult) => `${((1 / r.rate - 1 / base.rate) / (1 / r.rate) * 100).toFixed(1)}% of request time`;
          rows.push(row(name, backend, `GetUser+groups, no authentication/authorization, ${clients} clients`, base, "baseline"));
          rows.push(row(name, backend, `GetUser+groups as an IAM user (31 policies, cached key), ${clients} clients`, user, `auth + 2 checks (iam:GetUser, iam:ListGroupsForUser) = ${overhead(user)}`));
          rows.push(row(name, backend, `GetUser+groups as root, ${clients} clients`, root, `authentication only = ${overhead(root)}`));
        } finally {
          await closeServer(g.server);
          await closeServer(o.server);
          await guarded.close();
          await open.close();
        }
      });
    }

    // Secret verification, in-process, one at a time: a key's first request vs every later one.
    const secret = "bench-secret-bench-secret-bench-secret-0";
    const hash = await hashSecret(secret);
    const scrypt = await measure("scrypt verification", { ops: 1e9, maxSeconds: 3 * scale, concurrency: 1, warmup: 2, latency: true }, async () => {
      if (!(await verifySecret(secret, hash))) throw new Error("verification failed");
    });
    const cachedApp = await withDatabase("pglite", async (db) => {
      const app = await startIamgraph(loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", ...benchEnv }), { db, logger: pino({ level: "silent" }), migrate: false });
      try {
        await app.authenticator.authenticate(benchRootAuthorization);
        return await measure("cached verification", { ops: 1e9, maxSeconds: 2 * scale, concurrency: 1, warmup: 100, latency: true }, async () => {
          const caller = await app.authenticator.authenticate(benchRootAuthorization);
          if (!("kind" in caller)) throw new Error("authentication failed");
        });
      } finally {
        await app.close();
      }
    });
    rows.push(row(name, "pglite", "scrypt verification (N=2^15, r=8), first request of a key", scrypt, "once per key per process (and after revocation/TTL)"));
    rows.push(row(name, "pglite", "cached verification (HMAC + constant-time compare)", cachedApp, `every later request: ${(cachedApp.rate / scrypt.rate).toFixed(0)}× faster than scrypt`));
    return rows;
  },
};

export default bench;

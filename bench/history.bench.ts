/**
 * Point-in-time latency on a long log: SimulatePrincipalPolicy for one user as of a past position
 * (per-entity folding: the user's, its group's and its policies' streams, src/history/state-at.ts)
 * against the same simulation on current state (the effective-policies projection, cold and warm
 * compiled-policy cache). The log holds the user's ~60-event history between two halves of filler
 * events of other streams (BENCH_SCALE × 1,000,000 on PostgreSQL, × 200,000 on PGlite), inserted
 * with plain SQL. Goal (issue 4): asOf within 5× of the current-state query.
 */
import pino from "pino";
import { Authorizer } from "../src/authz/authorizer.js";
import { CompiledPolicyCache } from "../src/authz/compiled-policy-cache.js";
import { loadConfig } from "../src/config/config.js";
import { simulatePrincipalPolicyAsOf } from "../src/history/as-of-evaluation.js";
import { headPosition } from "../src/eventstore/read.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, measure, openBenchDatabase, type BackendName, type Bench, type BenchDatabase, type Row } from "./support.js";

const name = "history";
const account = "123456789012";
const alice = `arn:aws:iam::${account}:user/alice`;
const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
const actions = ["s3:GetObject", "s3:ListBucket", "ec2:RunInstances", "iam:ListUsers"];

async function filler(db: BenchDatabase, count: number, offset: number): Promise<void> {
  const chunk = 100_000;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    // Ten events per filler stream, each a UserTagged of a user that the bench never reads.
    await db.sql.exec(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       SELECT 'user-FILL' || ((${offset + start} + g) / 10), ((${offset + start} + g) % 10) + 1, 'UserTagged', 1,
              jsonb_build_object('userId', 'FILL' || ((${offset + start} + g) / 10), 'tags', '[]'::jsonb),
              '{"accountId":"${account}","actor":"bench","requestId":"b","correlationId":"b"}'::jsonb, now()
         FROM generate_series(0, ${n - 1}) AS g`,
    );
    process.stderr.write(`    filler ${offset + start + n} events\n`);
  }
}

async function runOn(backend: BackendName, scale: number): Promise<Row[]> {
  const total = Math.round((backend === "postgres" ? 1_000_000 : 200_000) * scale);
  const db = await openBenchDatabase(backend);
  const app = await startIamgraph(loadConfig({ NODE_ENV: "test", ...benchEnv }), { db, migrate: false, logger: pino({ level: "silent" }) });
  try {
    await filler(db, total / 2, 0);
    const send = (c: Parameters<typeof app.commands.handle>[0]) => app.commands.handle(c, { actor: "bench" });
    const p = `arn:aws:iam::${account}:policy/P`;
    await send({ type: "CreateUser", userName: "alice", path: "/", tags: [{ key: "team", value: "red" }] });
    await send({ type: "CreateGroup", groupName: "devs", path: "/" });
    await send({ type: "AddUserToGroup", userName: "alice", groupName: "devs" });
    await send({ type: "CreatePolicy", policyName: "P", path: "/", policyDocument: doc("s3:GetObject"), description: "", tags: [] });
    await send({ type: "AttachPolicy", entityType: "group", entityName: "devs", policyArn: p });
    let mid = 0;
    for (let i = 0; i < 20; i++) {
      await send({ type: "AttachPolicy", entityType: "user", entityName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" });
      await send({ type: "PutInlinePolicy", entityType: "user", entityName: "alice", policyName: `p${i % 3}`, policyDocument: doc("ec2:RunInstances", `s3:Get${i}`) });
      const r = await send({ type: "DetachPolicy", entityType: "user", entityName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" });
      if (i === 10) mid = r.position;
    }
    await filler(db, total / 2, total / 2);
    await db.sql.exec("ANALYZE events");
    const head = await headPosition(db.prisma);
    process.stderr.write(`    log: ${head} events; alice's history ends near ${mid}…\n`);

    const phase = { ops: 200 * scale, maxSeconds: 60 * scale, concurrency: 1, warmup: 10, latency: true };
    const input = { policySourceArn: alice, actionNames: actions };
    const warm = await measure(`${backend} current, warm cache`, phase, async () => void (await app.authorizer.simulatePrincipalPolicy(input)));
    const cold = await measure(`${backend} current, cold cache`, phase, async () => void (await new Authorizer(new CompiledPolicyCache(db.prisma)).simulatePrincipalPolicy(input)));
    const atHead = await measure(`${backend} asOf head`, phase, async () => void (await simulatePrincipalPolicyAsOf(db.prisma, account, { position: head }, input)));
    const atMid = await measure(`${backend} asOf mid-history`, phase, async () => void (await simulatePrincipalPolicyAsOf(db.prisma, account, { position: mid }, input)));
    const row = (c: string, r: typeof warm, note?: string): Row => ({ bench: name, backend, case: c, ops: r.ops, seconds: r.seconds, rate: r.rate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, ...(note ? { note } : {}) });
    const ratio = (r: typeof warm) => `${(r.p50Ms! / cold.p50Ms!).toFixed(1)}× cold current (p50), log ${head.toLocaleString("en-US")} events`;
    return [
      row("simulate current (warm cache)", warm),
      row("simulate current (cold cache: projection read)", cold),
      row("simulate asOf head (per-entity fold)", atHead, ratio(atHead)),
      row("simulate asOf mid-history", atMid, ratio(atMid)),
    ];
  } finally {
    await app.close();
    await db.dispose();
  }
}

const bench: Bench = {
  name,
  description: "asOf SimulatePrincipalPolicy on a long log vs the same query on current state",
  async run(ctx) {
    const rows: Row[] = [];
    for (const backend of ctx.backends) rows.push(...(await runOn(backend, ctx.scale)));
    return rows;
  },
};
export default bench;

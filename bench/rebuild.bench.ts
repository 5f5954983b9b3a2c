/**
 * Projection rebuild throughput (issue 4, part 10): `rebuildProjections` over BENCH_SCALE ×
 * 1,000,000 synthetic events on PostgreSQL, against the raw read-and-insert rate of the same rows
 * in the same run — plain `pg`, pages of 5,000 events read in position order and inserted into a
 * copy of the events table (same indexes), one multi-row INSERT per page. Goal: ≥ 50% of raw.
 *
 * The log: 1,000 groups each with a managed policy attached, then users of five events each —
 * UserCreated (one tag), UserTagged, UserAddedToGroup, ManagedPolicyAttached, InlinePolicyPut —
 * inserted with plain SQL. Folded, that is ~1.8 rows per event (users, tags, memberships,
 * attachments, inline policies and three effective-policy rows per user).
 * PostgreSQL only: PGlite runs the same code (the rebuild tests run on it) but a 1M-event log
 * is not what an embedded store holds.
 */
import { performance } from "node:perf_hooks";
import { seedAwsManagedPolicies } from "../src/app/seed-aws-managed.js";
import { progressLine } from "../src/cli/projections.js";
import { rebuildProjections, type RebuildProgress } from "../src/projections/rebuild.js";
import { fmtRate, openBenchDatabase, ratio, rawPgClient, reports, type Bench, type BenchDatabase, type Row } from "./support.js";

const name = "rebuild";
const account = "123456789012";
const meta = `'{"accountId":"${account}","actor":"bench","requestId":"b","correlationId":"b"}'::jsonb`;
const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const groups = 1000;

async function syntheticLog(db: BenchDatabase, total: number): Promise<number> {
  await db.sql.exec(
    `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
     SELECT 'group-G' || g, v, CASE v WHEN 1 THEN 'GroupCreated' ELSE 'ManagedPolicyAttached' END, 1,
            CASE v WHEN 1 THEN jsonb_build_object('groupId', 'G' || g, 'groupName', 'g' || g, 'path', '/', 'arn', 'arn:aws:iam::${account}:group/g' || g)
                   ELSE jsonb_build_object('entityType', 'group', 'entityId', 'G' || g, 'entityName', 'g' || g, 'policyArn', '${readOnly}', 'policyName', 'IAMReadOnlyAccess') END,
            ${meta}, now()
       FROM generate_series(0, ${groups - 1}) AS g, generate_series(1, 2) AS v ORDER BY g, v`,
  );
  const users = Math.floor((total - 2 * groups) / 5);
  const chunk = 20_000;
  for (let start = 0; start < users; start += chunk) {
    const end = Math.min(users, start + chunk) - 1;
    await db.sql.exec(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       SELECT 'user-U' || u, v,
              (ARRAY['UserCreated', 'UserTagged', 'UserAddedToGroup', 'ManagedPolicyAttached', 'InlinePolicyPut'])[v], 1,
              CASE v
                WHEN 1 THEN jsonb_build_object('userId', 'U' || u, 'userName', 'u' || u, 'path', '/', 'arn', 'arn:aws:iam::${account}:user/u' || u,
                                               'tags', jsonb_build_array(jsonb_build_object('key', 'team', 'value', 't' || (u % 7))))
                WHEN 2 THEN jsonb_build_object('userId', 'U' || u, 'tags', jsonb_build_array(jsonb_build_object('key', 'env', 'value', 'prod')))
                WHEN 3 THEN jsonb_build_object('userId', 'U' || u, 'userName', 'u' || u, 'groupId', 'G' || (u % ${groups}), 'groupName', 'g' || (u % ${groups}))
                WHEN 4 THEN jsonb_build_object('entityType', 'user', 'entityId', 'U' || u, 'entityName', 'u' || u, 'policyArn', '${readOnly}', 'policyName', 'IAMReadOnlyAccess')
                ELSE jsonb_build_object('entityType', 'user', 'entityId', 'U' || u, 'entityName', 'u' || u, 'policyName', 'own',
                                        'document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b' || u || '/*"}]}')
              END,
              ${meta}, now()
         FROM generate_series(${start}, ${end}) AS u, generate_series(1, 5) AS v ORDER BY u, v`,
    );
    process.stderr.write(`    log: ${2 * groups + (end + 1) * 5} events\n`);
  }
  await db.sql.exec(`ANALYZE events`);
  return 2 * groups + users * 5;
}

/** Plain SQL: page through the log and insert each page into a copy of the table. */
async function rawReadInsert(db: BenchDatabase, events: number): Promise<{ seconds: number; rows: number }> {
  const client = await rawPgClient(db.schema!);
  try {
    await client.query(`CREATE TABLE events_copy (LIKE events INCLUDING ALL)`);
    const t0 = performance.now();
    let after = 0;
    let rows = 0;
    let last = t0;
    for (;;) {
      const page = await client.query<{ position: string; stream_id: string; stream_version: number; type: string; schema_version: number; data: unknown; metadata: unknown; occurred_at: Date }>(
        `SELECT position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at FROM events WHERE position > $1 ORDER BY position LIMIT 5000`,
        [after],
      );
      if (page.rows.length === 0) break;
      const r = page.rows;
      await client.query(
        `INSERT INTO events_copy (position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`,
        [r.map((x) => x.position), r.map((x) => x.stream_id), r.map((x) => x.stream_version), r.map((x) => x.type), r.map((x) => x.schema_version),
          r.map((x) => JSON.stringify(x.data)), r.map((x) => JSON.stringify(x.metadata)), r.map((x) => x.occurred_at)],
      );
      rows += r.length;
      after = Number(r.at(-1)!.position);
      if (performance.now() - last > 1000) {
        last = performance.now();
        const rate = rows / ((last - t0) / 1000);
        process.stderr.write(`    raw read+insert ${rows}/${events} ${fmtRate(rate)}/s ETA ${((events - rows) / rate).toFixed(0)}s\n`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    await client.query(`DROP TABLE events_copy`);
    return { seconds, rows };
  } finally {
    await client.end();
  }
}

const bench: Bench = {
  name,
  description: "projection rebuild (blue/green, all projections) vs plain-SQL read+insert of the same events, PostgreSQL",
  async run({ backends, scale }) {
    if (!backends.includes("postgres")) return [];
    const total = Math.round(1_000_000 * scale);
    const db = await openBenchDatabase("postgres", { poolSize: 4 });
    try {
      await seedAwsManagedPolicies(db.prisma);
      const events = await syntheticLog(db, total);

      process.stderr.write(`  … raw read+insert of ${events} events\n`);
      const raw = await rawReadInsert(db, events);
      const rawRate = raw.rows / raw.seconds;
      process.stderr.write(`  ✓ raw read+insert: ${raw.rows} rows in ${raw.seconds.toFixed(1)}s = ${fmtRate(rawRate)}/s\n`);

      process.stderr.write(`  … rebuild of ${events} events\n`);
      const phases = new Map<string, number>();
      const show = progressLine(process.stderr, "    rebuild");
      let rssPeak = 0;
      const t0 = performance.now();
      const result = await rebuildProjections(db, {
        onProgress: (p: RebuildProgress) => {
          if (!phases.has(p.phase)) phases.set(p.phase, performance.now());
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          show(p);
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      const rate = result.events / seconds;
      process.stderr.write(`  ✓ rebuild: ${result.events} events in ${seconds.toFixed(1)}s = ${fmtRate(rate)}/s (${ratio(rate, rawRate)})\n`);

      const at = (phase: string) => (phases.get(phase) ?? performance.now()) - t0;
      const order = ["replay", "write", "index", "catch-up", "switch", "done"];
      const breakdown = order.slice(0, -1).map((p, i) => `${p} ${((at(order[i + 1]!) - at(p)) / 1000).toFixed(1)}s`).join(", ");
      const rowsWritten = (await db.sql.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM user_tags) + (SELECT count(*) FROM group_memberships) + (SELECT count(*) FROM groups)
              + (SELECT count(*) FROM policy_attachments) + (SELECT count(*) FROM inline_policies) + (SELECT count(*) FROM effective_policies) AS n`,
      ))[0]!.n;
      reports.push(
        `rebuild (PostgreSQL, ${result.events} events → ${Number(rowsWritten).toLocaleString("en-US")} rows): ${breakdown}; ` +
          `write lock held only for the switch; peak RSS ${(rssPeak / 2 ** 20).toFixed(0)} MiB`,
      );
      const rows: Row[] = [
        { bench: name, backend: "postgres", case: "raw read+insert (plain pg, 5,000/page)", ops: raw.rows, seconds: raw.seconds, rate: rawRate },
        { bench: name, backend: "postgres", case: "rebuild all projections (blue/green)", ops: result.events, seconds, rate, note: ratio(rate, rawRate) },
      ];
      return rows;
    } finally {
      await db.dispose();
    }
  },
};

export default bench;

/**
 * `iamgraph import aws` of the synthetic 1,000-user account (test/fixtures/aws/generate-snapshots.ts:
 * 1,000 users, 100 groups, 300 customer-managed policies with versions, 50 roles) into an empty
 * store — events appended per second — beside the raw rate of the same rows as autocommit
 * INSERTs into the `events` table of another fresh store, in the same run; then one day's diff
 * import (the next day's snapshot onto the imported account).
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import { createCommandPipeline } from "../src/app/command-pipeline.js";
import { seedAwsManagedPolicies } from "../src/app/seed-aws-managed.js";
import { importAccountSnapshot } from "../src/snapshot/import-snapshot.js";
import { syntheticSeries } from "../test/fixtures/aws/generate-snapshots.js";
import { fmtRate, ratio, withDatabase, type Bench, type Row } from "./support.js";

const name = "snapshot-import";
const accountId = "111122223333";

const bench: Bench = {
  name,
  description: "import aws of the 1,000-user synthetic account (events/s) vs raw INSERTs of the same rows; one day's diff import",
  async run({ backends }) {
    const rows: Row[] = [];
    const [day0, day1] = syntheticSeries(15, 1);
    const texts = [JSON.stringify(day0!.json), JSON.stringify(day1!.json)];
    for (const backend of backends) {
      let stored: { stream_id: string; stream_version: number; type: string; schema_version: number; data: unknown; metadata: unknown; occurred_at: Date }[] = [];
      const full = await withDatabase(backend, async (db) => {
        await seedAwsManagedPolicies(db.prisma);
        const pipeline = createCommandPipeline({ db, accountId, logger: pino({ level: "silent" }) });
        const deps = { pipeline, db: db.prisma, accountId };
        process.stderr.write(`${backend}: importing day 0 …\n`);
        let t0 = performance.now();
        const first = await importAccountSnapshot(deps, texts[0]!, { source: "day0.json", asOf: day0!.asOf });
        const firstSeconds = (performance.now() - t0) / 1000;
        const firstEvents = Object.values(first.eventCounts).reduce((a, b) => a + b, 0);
        process.stderr.write(`${backend}: importing day 1 …\n`);
        t0 = performance.now();
        const second = await importAccountSnapshot(deps, texts[1]!, { source: "day1.json", asOf: day1!.asOf });
        const secondSeconds = (performance.now() - t0) / 1000;
        const secondEvents = Object.values(second.eventCounts).reduce((a, b) => a + b, 0);
        stored = await db.sql.query(`SELECT stream_id, stream_version, type, schema_version, data, metadata, occurred_at FROM events WHERE position <= $1 ORDER BY position`, [first.position]);
        return { firstSeconds, firstEvents, commands: first.commands, secondSeconds, secondEvents, secondCommands: second.commands };
      });
      // Raw: the same rows, one autocommit INSERT each, no lock, no checks, no projections.
      const raw = await withDatabase(backend, async (db) => {
        const t0 = performance.now();
        for (const e of stored) {
          await db.sql.query(
            `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::timestamptz)`,
            [e.stream_id, e.stream_version, e.type, e.schema_version, JSON.stringify(e.data), JSON.stringify(e.metadata), new Date(e.occurred_at).toISOString()],
          );
        }
        return (performance.now() - t0) / 1000;
      });
      const importRate = full.firstEvents / full.firstSeconds;
      const rawRate = stored.length / raw;
      rows.push(
        { bench: name, backend, case: `import day 0 (${full.commands} commands)`, ops: full.firstEvents, seconds: full.firstSeconds, rate: importRate, note: `${ratio(importRate, rawRate)} (events/s; parse, diff, pipeline, projections, one transaction)` },
        { bench: name, backend, case: "raw INSERT of the same events", ops: stored.length, seconds: raw, rate: rawRate, note: "autocommit, sequential" },
        { bench: name, backend, case: `diff import of day 1 (${full.secondCommands} commands)`, ops: full.secondEvents, seconds: full.secondSeconds, rate: full.secondEvents / full.secondSeconds, note: `the whole import: parse, fold the log to diff (${fmtRate(full.firstEvents)} events), apply` },
      );
    }
    return rows;
  },
};

export default bench;

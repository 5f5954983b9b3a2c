import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { createCommandPipeline } from "../app/command-pipeline.js";
import { seedAwsManagedPolicies } from "../app/seed-aws-managed.js";
import type { Config } from "../config/config.js";
import { openDatabase, storeOptions } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { resolvePoint } from "../history/load.js";
import { accountAuthorizationDetailsAt } from "../snapshot/export-details.js";
import { importAccountSnapshot, type ImportReport } from "../snapshot/import-snapshot.js";
import type { OverQuotaMode } from "../snapshot/parse-snapshot.js";
import { exportThroughServer, importThroughServer } from "./aws-snapshot-through-server.js";
import { openExistingStore, OperatorError, serverHoldingStore } from "./operator-store.js";

export const awsSnapshotUsage = `iamgraph import aws <file.json> [--as-of <time>] [--dry-run] [--unknown-aws-policies skip|refuse] [--over-quota note|refuse]
      the JSON of \`aws iam get-account-authorization-details\`: appends what changed since the last import,
      stamped --as-of (default: the file's modification time), actor import:<file>; elements past
      iamgraph's quotas (raised AWS quotas) are imported with the quota noted, or refused with --over-quota refuse
iamgraph export aws [--as-of <time>]   the same JSON from iamgraph's state (now, or at a time) on stdout
`;

export interface ImportArgs {
  readonly file: string;
  readonly asOf: Date;
  readonly dryRun: boolean;
  readonly unknownAwsPolicies: "skip" | "refuse";
  readonly overQuota: OverQuotaMode;
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (!value || value.startsWith("--")) throw new OperatorError(`${name} needs a value\n\n${awsSnapshotUsage}`, 2);
  return value;
}

function time(value: string | undefined, fallback: () => Date): Date {
  if (value === undefined) return fallback();
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new OperatorError(`--as-of ${value} is not a time (ISO 8601, e.g. 2024-06-01T00:00:00Z)`, 2);
  return d;
}

export async function importAws(config: Config, argv: readonly string[]): Promise<void> {
  const [kind, file] = argv;
  if (kind !== "aws" || !file) throw new OperatorError(`usage:\n${awsSnapshotUsage}`, 2);
  if (!fs.existsSync(file)) throw new OperatorError(`no such file: ${file}`, 2);
  const unknown = flag(argv, "--unknown-aws-policies") ?? "skip";
  if (unknown !== "skip" && unknown !== "refuse") throw new OperatorError(`--unknown-aws-policies takes skip or refuse`, 2);
  const overQuota = flag(argv, "--over-quota") ?? "note";
  if (overQuota !== "note" && overQuota !== "refuse") throw new OperatorError(`--over-quota takes note or refuse`, 2);
  const args: ImportArgs = { file, asOf: time(flag(argv, "--as-of"), () => fs.statSync(file).mtime), dryRun: argv.includes("--dry-run"), unknownAwsPolicies: unknown, overQuota };
  const text = fs.readFileSync(file, "utf8");
  const server = serverHoldingStore(config);
  try {
    if (server) return printReport(await importThroughServer(server, text, args));
    // Import may create the empty store it fills.
    const db = await openDatabase(storeOptions(config, "import aws"));
    try {
      await migrate(db.sql);
      await seedAwsManagedPolicies(db.prisma);
      const pipeline = createCommandPipeline({ db, accountId: config.accountId, logger: pino({ level: config.logLevel }) });
      const report = await importAccountSnapshot({ pipeline, db: db.prisma, accountId: config.accountId }, text, {
        source: path.basename(file),
        asOf: args.asOf,
        dryRun: args.dryRun,
        unknownAwsPolicies: args.unknownAwsPolicies,
        overQuota: args.overQuota,
        onProgress: (m) => process.stderr.write(`${m}\n`),
      });
      printReport(report);
    } finally {
      await db.close();
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const hint = /is account \d+'s/.test(err.message) ? " (set IAMGRAPH_ACCOUNT_ID to the file's account for a new store)" : "";
    throw new OperatorError(`${err.code}: ${err.message}${hint}`);
  }
}

export async function exportAws(config: Config, argv: readonly string[]): Promise<void> {
  if (argv[0] !== "aws") throw new OperatorError(`usage:\n${awsSnapshotUsage}`, 2);
  const asOfText = flag(argv, "--as-of");
  const asOf = asOfText === undefined ? undefined : time(asOfText, () => new Date());
  const server = serverHoldingStore(config);
  const details = server ? await exportThroughServer(server, asOf) : await exportLocal(config, asOf);
  process.stdout.write(`${JSON.stringify(details, null, 4)}\n`);
}

async function exportLocal(config: Config, asOf: Date | undefined): Promise<unknown> {
  const db = await openExistingStore(config, "export aws");
  try {
    const point = await resolvePoint(db.prisma, asOf ? { timestamp: asOf } : undefined).catch((err: unknown) => {
      throw err instanceof DomainError ? new OperatorError(err.message, 2) : err;
    });
    return await accountAuthorizationDetailsAt(db.prisma, config.accountId, point.position);
  } finally {
    await db.close();
  }
}

/** What was (or would be) appended, for the operator. */
export function printReport(r: Pick<ImportReport, "applied" | "asOf" | "actor" | "correlationId" | "position" | "commands" | "eventCounts" | "entitiesTouched" | "unknownAwsPolicies" | "overQuota"> & { preview?: { flips: readonly { principalArn: string; action: string; before: string; after: string }[] } }): void {
  const out: string[] = [];
  out.push(`${r.applied ? "imported" : "dry run (nothing written)"}: ${r.commands} commands as ${r.actor} at ${new Date(r.asOf).toISOString()}${r.applied ? `, through position ${r.position}, correlation id ${r.correlationId}` : ""}`);
  const counts = Object.entries(r.eventCounts).sort();
  out.push(counts.length === 0 ? "no change: the store already holds this snapshot" : "events:");
  for (const [type, n] of counts) out.push(`  ${type.padEnd(28)} ${n}`);
  out.push(`entities touched: ${r.entitiesTouched.length}`);
  if (!r.applied) for (const arn of r.entitiesTouched) out.push(`  ${arn}`);
  if (r.preview) {
    out.push(`decisions that flip: ${r.preview.flips.length}`);
    for (const f of r.preview.flips) out.push(`  ${f.principalArn} ${f.action}: ${f.before} → ${f.after}`);
  }
  if (r.unknownAwsPolicies.length > 0) {
    out.push(`AWS-managed policies iamgraph does not know, left out (--unknown-aws-policies refuse to refuse instead): ${r.unknownAwsPolicies.length}`);
    for (const u of r.unknownAwsPolicies) out.push(`  ${u.arn} at ${u.path}`);
  }
  if (r.overQuota.length > 0) {
    out.push(`past iamgraph's quotas (AWS's defaults), imported with the quota noted in their events (--over-quota refuse to refuse instead): ${r.overQuota.length}`);
    for (const q of r.overQuota) out.push(`  ${q.path}: ${q.quota} ${q.found} > ${q.awsDefault}${q.raisable ? "" : " (a quota AWS does not raise)"}`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

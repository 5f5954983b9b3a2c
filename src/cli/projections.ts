import type { Config } from "../config/config.js";
import { migrate } from "../db/migrate.js";
import { seedAwsManagedPolicies } from "../app/seed-aws-managed.js";
import { projectionStatus, rebuildProjections, selectProjections, type ProjectionStatus, type RebuildProgress } from "../projections/rebuild.js";
import { RebuildInProgress } from "../projections/rebuild-lock.js";
import { openExistingStore, OperatorError, serverHoldingStore } from "./operator-store.js";
import { projectionsThroughServer } from "./projections-through-server.js";

export const projectionsUsage = `iamgraph projections status            each projection's version, checkpoint and lag; a rebuild in progress
iamgraph projections rebuild [name…]  replay the log into fresh tables and switch reads over to them (blue/green):
                                      the API keeps serving; progress on stderr; safe to rerun after a crash
`;

export async function projectionsCommand(config: Config, argv: readonly string[]): Promise<void> {
  const [sub, ...names] = argv;
  if (sub !== "status" && sub !== "rebuild") {
    process.stderr.write(projectionsUsage);
    process.exitCode = 2;
    return;
  }
  if (sub === "rebuild") {
    try {
      selectProjections(names);
    } catch (err) {
      throw new OperatorError((err as Error).message, 2);
    }
  }
  // An embedded store held by a server is that server's alone: the command goes through it.
  const server = serverHoldingStore(config);
  if (server) return projectionsThroughServer(server, sub, names);
  const db = await openExistingStore(config, `projections ${sub}`);
  try {
    await migrate(db.sql);
    if (sub === "status") {
      process.stdout.write(formatStatus(await projectionStatus(db)));
      return;
    }
    if (config.awsCatalogue === "builtin") await seedAwsManagedPolicies(db.prisma);
    const started = Date.now();
    const result = await rebuildProjections(db, { projections: names, onProgress: progressLine(process.stderr) }).catch((err: unknown) => {
      if (!(err instanceof RebuildInProgress)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    });
    if (!result) return;
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `rebuilt ${result.projections.join(", ")} from ${result.events} events (through position ${result.position}) in ${seconds.toFixed(1)}s, ${Math.round(result.events / seconds)} events/s\n`,
    );
    if (result.skipped.length > 0) process.stderr.write(`not rebuilt (no rebuild fold): ${result.skipped.join(", ")}\n`);
  } finally {
    await db.close();
  }
}

export function formatStatus(rows: readonly ProjectionStatus[]): string {
  const cols = (...c: string[]) => `${c[0]!.padEnd(20)} ${c[1]!.padStart(7)} ${c[2]!.padStart(10)} ${c[3]!.padStart(10)} ${c[4]!.padStart(8)}  ${c[5]}\n`;
  let out = cols("projection", "version", "checkpoint", "head", "lag", "rebuild");
  for (const r of rows) {
    const b = r.rebuild;
    const rebuild = !b
      ? r.rebuiltAt
        ? `last ${r.rebuiltAt.toISOString()}`
        : "-"
      : b.running
        ? `RUNNING (pid ${b.pid}): ${b.phase} ${b.done}/${b.total}`
        : `ABANDONED at ${b.phase} ${b.done}/${b.total} (pid ${b.pid} gone; the next rebuild drops ${b.stagingSchema})`;
    out += cols(r.name, String(r.version), String(r.checkpoint), String(r.head), String(r.lag), rebuild);
  }
  return out;
}

/**
 * A progress line on stderr at most every half second (and at each phase change): events/s and
 * ETA while replaying, rows while writing.
 */
export function progressLine(out: NodeJS.WritableStream, label = "rebuild"): (p: RebuildProgress) => void {
  let phase = "";
  let phaseStart = Date.now();
  let last = 0;
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  return (p) => {
    const now = Date.now();
    const changed = p.phase !== phase;
    if (changed) {
      if (phase && tty) out.write("\n");
      phase = p.phase;
      phaseStart = now;
    }
    if (!changed && now - last < 500 && p.done < p.total) return;
    last = now;
    const seconds = Math.max((now - phaseStart) / 1000, 0.001);
    const rate = p.done / seconds;
    const unit = p.phase === "write" || p.phase === "index" ? "rows" : "events";
    const eta = p.phase === "replay" && rate > 0 ? ` ETA ${Math.max(0, Math.round((p.total - p.done) / rate))}s` : "";
    const timed = (p.phase === "replay" || p.phase === "write") && seconds >= 0.2; // a rate over less is noise
    const line = `${label} ${p.phase} ${p.done}/${p.total} ${unit}${timed ? ` ${Math.round(rate)} ${unit}/s${eta}` : ""}`;
    out.write(tty ? `\r${line.padEnd(78)}` : `${line}\n`);
    if (p.phase === "done" && tty) out.write("\n");
  };
}

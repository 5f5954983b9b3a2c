import fs from "node:fs";
import { once } from "node:events";
import { seedAwsManagedPolicies } from "../app/seed-aws-managed.js";
import type { Config } from "../config/config.js";
import { openDatabase, storeOptions } from "../db/database.js";
import { DataDirLock } from "../db/data-dir-lock.js";
import { migrate } from "../db/migrate.js";
import { exportLog, ImportRefused, importLog, LogFileError } from "../eventstore/log-file.js";
import { openExistingStore, OperatorError } from "./operator-store.js";

export const eventsUsage = `iamgraph events export [file]   write the log as NDJSON (stdout without a file)
iamgraph events import <file>   load an NDJSON log into an empty store, all or nothing, and project it
`;

/** A one-line progress bar on stderr (stdout may be the export itself). */
function progress(label: string): (done: number, total: number) => void {
  const started = Date.now();
  return (done, total) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const bar = "#".repeat(Math.floor(pct / 5)).padEnd(20, ".");
    const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
    process.stderr.write(`\r${label} [${bar}] ${done}/${total} ${pct}% ${rate} events/s`);
    if (done >= total) process.stderr.write("\n");
  };
}

export async function events(config: Config, argv: readonly string[]): Promise<void> {
  const [sub, file] = argv;
  if (sub !== "export" && sub !== "import") {
    process.stderr.write(eventsUsage);
    process.exitCode = 2;
    return;
  }
  if (sub === "import" && !file) {
    process.stderr.write(`events import needs a file\n\n${eventsUsage}`);
    process.exitCode = 2;
    return;
  }
  if (sub === "import" && !fs.existsSync(file!)) throw new OperatorError(`no such file: ${file}`, 2);
  const holder = config.databaseUrl ? undefined : DataDirLock.liveHolder(config.dataDir);
  if (holder?.url) {
    // The log moves whole: an import wants an empty store, and the server's is its own.
    throw new OperatorError(
      `the store at ${config.dataDir} is held by the iamgraph server at ${holder.url} (pid ${holder.pid}); stop it to ${sub} the log` +
        (sub === "export" ? ", or page through the log with its `events` query" : ""),
    );
  }
  // Export reads an existing store; import may create the empty one it needs.
  const db = sub === "export" ? await openExistingStore(config, "events export") : await openDatabase(storeOptions(config, "events import"));
  try {
    await migrate(db.sql);
    if (sub === "export") {
      const out = file ? fs.createWriteStream(file) : process.stdout;
      for await (const chunk of exportLog(db.prisma, progress("export"))) {
        if (!out.write(chunk)) await once(out, "drain");
      }
      if (file) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      return;
    }
    // The full catalogue is history in the log: the imported log brings its own, and the next
    // `serve` appends what it lacks. Only the builtin one lives beside the log.
    if (config.awsCatalogue === "builtin") await seedAwsManagedPolicies(db.prisma);
    const text = fs.readFileSync(file!, "utf8");
    const bars = { insert: progress("insert "), project: progress("project") };
    const result = await importLog(db.prisma, text, (phase, done, total) => bars[phase](done, total));
    process.stderr.write(`imported ${result.imported} events up to position ${result.lastPosition}\n`);
  } catch (err) {
    if (!(err instanceof LogFileError || err instanceof ImportRefused)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

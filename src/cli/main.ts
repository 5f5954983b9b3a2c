#!/usr/bin/env node
import pino from "pino";
import { loadConfig } from "../config/config.js";
import { openDatabase, storeOptions } from "../db/database.js";
import { DataDirLocked } from "../db/data-dir-lock.js";
import { migrate } from "../db/migrate.js";
import { exportAws, importAws } from "./aws-snapshot.js";
import { checkCommand } from "./check.js";
import { events } from "./events.js";
import { OperatorError } from "./operator-store.js";
import { projectionsCommand } from "./projections.js";
import { projectCommand } from "./project.js";
import { relayCommand } from "./relay.js";
import { serve } from "./serve.js";

const usage = `iamgraph <command>

  serve      start the GraphQL server (default); --relay also runs the events relay (kafka mode)
  relay      kafka mode: publish the log to the events topic (one active, others stand by)
  project    kafka mode: projection worker (permission_changes, the permission-changes topic)
  migrate    apply pending migrations and exit
  events     export [file] | import <file>: the log as NDJSON
  projections status | rebuild: checkpoints and lag; replay the log into the read models
  import     aws <file.json> [--as-of t] [--dry-run]: an AWS account's get-account-authorization-details
  export     aws [--as-of t]: the same JSON from iamgraph's state
  check      no-new-access NEW EXISTING | access-not-granted POLICY --actions …: Access Analyzer's
             custom policy checks, offline (exit 0 PASS, 1 FAIL, 2 bad input)
`;

async function main(argv: string[]): Promise<void> {
  const [command = "serve"] = argv;
  // The checks read only files and the service reference: no configuration, store or server.
  if (command === "check") return checkCommand(argv.slice(1));
  const config = loadConfig();
  switch (command) {
    case "serve":
      return serve(config, { relay: argv.includes("--relay") });
    case "relay":
      return relayCommand(config);
    case "project":
      return projectCommand(config);
    case "migrate": {
      const logger = pino({ level: config.logLevel });
      const db = await openDatabase(storeOptions(config, "migrate"));
      const report = await migrate(db.sql, (msg) => logger.info(msg));
      logger.info({ applied: report.applied, alreadyApplied: report.alreadyApplied.length, storage: db.kind }, "migrations up to date");
      await db.close();
      return;
    }
    case "events":
      return events(config, argv.slice(1));
    case "projections":
      return projectionsCommand(config, argv.slice(1));
    case "import":
      return importAws(config, argv.slice(1));
    case "export":
      return exportAws(config, argv.slice(1));
    case "help":
    case "--help":
      process.stdout.write(usage);
      return;
    default:
      process.stderr.write(`unknown command: ${command}\n\n${usage}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // An operator's mistake or a store in use is one line to act on; anything else is a bug, with its stack.
  if (err instanceof OperatorError || err instanceof DataDirLocked) {
    process.stderr.write(`iamgraph: ${err.message}\n`);
    process.exit(err instanceof OperatorError ? err.exitCode : 1);
  }
  console.error(err);
  process.exit(1);
});

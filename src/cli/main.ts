#!/usr/bin/env node
// Each command's modules are imported when it runs: `check` (a CI step) reads two files and
// must not pay for loading the server, Prisma and PGlite.
import { collectGarbage } from "../collect-garbage.js";

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
  if (command === "check") return (await import("./check.js")).checkCommand(argv.slice(1));
  const config = (await import("../config/config.js")).loadConfig();
  switch (command) {
    case "serve":
      await (await import("./serve.js")).serve(config, { relay: argv.includes("--relay") });
      // Start-up grew the young generation and left garbage; an idle server would keep both.
      setImmediate(collectGarbage);
      return;
    case "relay":
      return (await import("./relay.js")).relayCommand(config);
    case "project":
      return (await import("./project.js")).projectCommand(config);
    case "migrate": {
      const [{ default: pino }, { openDatabase, storeOptions }, { migrate }] = await Promise.all([import("pino"), import("../db/database.js"), import("../db/migrate.js")]);
      const logger = pino({ level: config.logLevel });
      const db = await openDatabase(storeOptions(config, "migrate"));
      const report = await migrate(db.sql, (msg) => logger.info(msg));
      logger.info({ applied: report.applied, alreadyApplied: report.alreadyApplied.length, storage: db.kind }, "migrations up to date");
      await db.close();
      return;
    }
    case "events":
      return (await import("./events.js")).events(config, argv.slice(1));
    case "projections":
      return (await import("./projections.js")).projectionsCommand(config, argv.slice(1));
    case "import":
      return (await import("./aws-snapshot.js")).importAws(config, argv.slice(1));
    case "export":
      return (await import("./aws-snapshot.js")).exportAws(config, argv.slice(1));
    case "help":
    case "--help":
      process.stdout.write(usage);
      return;
    default:
      process.stderr.write(`unknown command: ${command}\n\n${usage}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch(async (err: unknown) => {
  const [{ OperatorError }, { DataDirLocked }] = await Promise.all([import("./operator-store.js"), import("../db/data-dir-lock.js")]);
  // An operator's mistake or a store in use is one line to act on; anything else is a bug, with its stack.
  if (err instanceof OperatorError || err instanceof DataDirLocked) {
    process.stderr.write(`iamgraph: ${err.message}\n`);
    process.exit(err instanceof OperatorError ? err.exitCode : 1);
  }
  console.error(err);
  process.exit(1);
});

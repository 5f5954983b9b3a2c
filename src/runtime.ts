import pino, { type Logger } from "pino";
import { Authorizer } from "./authz/authorizer.js";
import { CompiledPolicyCache } from "./authz/compiled-policy-cache.js";
import { WhoCan } from "./authz/who-can.js";
import { createIamgraphYoga, type IamgraphYoga } from "./api/yoga.js";
import { createCommandPipeline, type CommandPipeline } from "./app/command-pipeline.js";
import type { Config } from "./config/config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { seedAwsManagedPolicies } from "./app/seed-aws-managed.js";
import { createInProcessBus, type EventBus } from "./messaging/event-bus.js";

/** The composition root: one place that wires store, pipeline, bus and API together. */
export interface Iamgraph {
  readonly db: Database;
  readonly commands: CommandPipeline;
  readonly bus: EventBus;
  readonly authorizer: Authorizer;
  readonly whoCan: WhoCan;
  readonly yoga: IamgraphYoga;
  readonly logger: Logger;
  close(): Promise<void>;
}

export async function startIamgraph(
  config: Config,
  options: { db?: Database; logger?: Logger; migrate?: boolean } = {},
): Promise<Iamgraph> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "iamgraph" } });
  const db = options.db ?? (await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }));
  if (options.migrate !== false) {
    const report = await migrate(db.sql, (msg) => logger.info(msg));
    if (report.applied.length > 0) logger.info({ applied: report.applied }, "migrations applied");
  }
  await seedAwsManagedPolicies(db.prisma);
  const bus = createInProcessBus((err) => logger.error({ err }, "event listener failed"));
  const commands = createCommandPipeline({ db, accountId: config.accountId, bus, logger });
  const policyCache = new CompiledPolicyCache(db.prisma);
  const authorizer = new Authorizer(policyCache);
  const whoCan = new WhoCan(db.prisma, authorizer);
  // Committed events invalidate what the authorizer keeps in memory.
  bus.subscribe((events) => {
    policyCache.invalidate(events);
    whoCan.invalidate(events);
  });
  const yoga = createIamgraphYoga({
    prisma: db.prisma,
    commands,
    authorizer,
    whoCan,
    accountId: config.accountId,
    logger,
    production: config.production,
  });
  return {
    db,
    commands,
    bus,
    authorizer,
    whoCan,
    yoga,
    logger,
    async close() {
      if (!options.db) await db.close();
    },
  };
}

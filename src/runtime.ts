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
import type { EventFeed } from "./messaging/event-feed.js";
import { LiveHub } from "./messaging/live-hub.js";
import { headPosition } from "./eventstore/read.js";
import { ProjectionWatermark } from "./projections/watermark.js";
import { consistencyPlugin } from "./api/consistency.js";
import { EntityFactsCache } from "./api/authorization/entity-facts-cache.js";
import { Authenticator } from "./auth/authenticator.js";
import { CredentialStore } from "./auth/credential-store.js";
import { resolveRootKey, type ConfiguredRootKey } from "./auth/root-credentials.js";

/** The composition root: one place that wires store, pipeline, bus and API together. */
export interface Iamgraph {
  readonly db: Database;
  readonly commands: CommandPipeline;
  readonly bus: EventBus;
  readonly authorizer: Authorizer;
  readonly whoCan: WhoCan;
  readonly yoga: IamgraphYoga;
  readonly logger: Logger;
  /** Live subscriptions' fan-out. */
  readonly live: LiveHub;
  /** How far the projections are: read-your-writes waits on it. */
  readonly watermark: ProjectionWatermark;
  readonly authenticator: Authenticator;
  readonly credentials: CredentialStore;
  /**
   * The root key generated on this start (embedded mode, none configured or stored before):
   * `iamgraph serve` prints it once. Absent on every other start.
   */
  readonly generatedRootKey?: ConfiguredRootKey;
  close(): Promise<void>;
}

export async function startIamgraph(
  config: Config,
  options: {
    db?: Database;
    logger?: Logger;
    migrate?: boolean;
    /** Undelivered messages a subscriber may have before it is cut off (default 1000). */
    subscriptionBufferLimit?: number;
    /** Read-your-writes wait: default and longest (ms); default 5000 and 30000. */
    consistencyTimeoutMs?: number;
    maxConsistencyTimeoutMs?: number;
    /** Only for bench/: measures what self-authorization costs. */
    authorization?: "enforced" | "disabled";
    /**
     * Where the bus learns of committed events (src/messaging/event-feed.ts). Given, the bus is
     * fed only by it — this process's own commits included — from the head at start. Absent, the
     * command pipeline publishes its own commits (single instance).
     */
    feed?: EventFeed | ((db: Database) => EventFeed);
  } = {},
): Promise<Iamgraph> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "iamgraph" } });
  const db = options.db ?? (await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }));
  if (options.migrate !== false) {
    const report = await migrate(db.sql, (msg) => logger.info(msg));
    if (report.applied.length > 0) logger.info({ applied: report.applied }, "migrations applied");
  }
  await seedAwsManagedPolicies(db.prisma);
  const credentials = new CredentialStore(db.prisma);
  const rootKey = await resolveRootKey(credentials, { configured: config.rootKey, mayGenerate: db.kind === "embedded", now: new Date() });
  const bus = createInProcessBus((err) => logger.error({ err }, "event listener failed"));
  const feed = typeof options.feed === "function" ? options.feed(db) : options.feed;
  // With a feed, a commit only hints the feed; the events reach the bus the way everyone else's do.
  const commitBus: EventBus = feed ? { publish: () => feed.poke(), subscribe: (l) => bus.subscribe(l) } : bus;
  const commands = createCommandPipeline({ db, accountId: config.accountId, bus: commitBus, logger });
  const policyCache = new CompiledPolicyCache(db.prisma);
  const authorizer = new Authorizer(policyCache);
  const whoCan = new WhoCan(db.prisma, authorizer);
  const authenticator = new Authenticator({
    store: credentials,
    accountId: config.accountId,
    root: rootKey.source,
    onError: (err) => logger.error({ err }, "recording an access key's last use failed"),
  });
  const entityFacts = new EntityFactsCache();
  // Committed events invalidate what the authorizer and authenticator keep in memory.
  bus.subscribe((events) => {
    entityFacts.invalidate(events);
    authenticator.invalidate(events);
    policyCache.invalidate(events);
    whoCan.invalidate(events);
  });
  // Subscribed after the cache invalidation above, so decisions re-evaluated live see fresh policies.
  const live = new LiveHub(db.prisma, bus, authorizer, {
    bufferLimit: options.subscriptionBufferLimit ?? 1000,
    onError: (err) => logger.error({ err }, "live fan-out failed"),
  });
  commands.observe(live);
  // Projections run inline (in the command's transaction): a published event is a projected one.
  const watermark = new ProjectionWatermark(db.prisma, bus, { inline: true });
  await watermark.refresh();
  if (feed) await feed.start(await headPosition(db.prisma), (events) => bus.publish(events));
  const yoga = createIamgraphYoga({
    prisma: db.prisma,
    commands,
    authorizer,
    whoCan,
    authenticator,
    credentials,
    entityFacts,
    authorization: options.authorization ?? "enforced",
    accountId: config.accountId,
    logger,
    production: config.production,
    hardening: config.hardening,
    live,
    plugins: [
      consistencyPlugin(watermark, {
        defaultTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
        maxTimeoutMs: options.maxConsistencyTimeoutMs ?? 30_000,
      }),
    ],
  });
  return {
    db,
    commands,
    bus,
    authorizer,
    whoCan,
    yoga,
    logger,
    live,
    watermark,
    authenticator,
    credentials,
    ...(rootKey.generated ? { generatedRootKey: rootKey.generated } : {}),
    async close() {
      await feed?.close();
      live.close();
      watermark.close();
      if (!options.db) await db.close();
    },
  };
}

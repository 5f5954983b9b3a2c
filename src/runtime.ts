import pino, { type Logger } from "pino";
import { Authorizer } from "./authz/authorizer.js";
import { CompiledPolicyCache } from "./authz/compiled-policy-cache.js";
import { WhoCan } from "./authz/who-can.js";
import { createIamgraphYoga, type IamgraphYoga } from "./api/yoga.js";
import { createCommandPipeline, type CommandPipeline } from "./app/command-pipeline.js";
import { ProjectionOperations } from "./app/projection-operations.js";
import type { Config } from "./config/config.js";
import { openDatabase, storeOptions, type Database } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { provideAwsManagedPolicies, type AwsCatalogueLoad } from "./app/seed-aws-managed.js";
import { createInProcessBus, type EventBus } from "./messaging/event-bus.js";
import type { EventFeed } from "./messaging/event-feed.js";
import { LiveHub } from "./messaging/live-hub.js";
import { LogTailer } from "./messaging/log-tailer.js";
import { headPosition } from "./eventstore/read.js";
import { ProjectionWatermark } from "./projections/watermark.js";
import { consistencyPlugin } from "./api/consistency.js";
import { EntityFactsCache } from "./api/authorization/entity-facts-cache.js";
import { Authenticator } from "./auth/authenticator.js";
import { CredentialStore } from "./auth/credential-store.js";
import { resolveRootKey, type ConfiguredRootKey } from "./auth/root-credentials.js";
import { StsService } from "./sts/sts-service.js";
import { startSessionRetention } from "./sts/session-retention.js";
import type { OidcKeysOptions } from "./sts/oidc-keys.js";
import { resolveMasterKey } from "./auth/master-key.js";
import path from "node:path";

/** The composition root: one place that wires store, pipeline, bus and API together. */
export interface Iamgraph {
  readonly db: Database;
  readonly commands: CommandPipeline;
  /** Fed only by `feed`: every committed event, this instance's own included, in position order. */
  readonly bus: EventBus;
  /** How this process follows the log (a LogTailer unless another feed was given). */
  readonly feed: EventFeed;
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
  /** STS: role sessions (src/sts/). */
  readonly sts: StsService;
  /** The AWS-managed catalogue's import (IAMGRAPH_AWS_CATALOGUE): `done` once every version is in the log. */
  readonly awsCatalogue: AwsCatalogueLoad;
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
     * How this process learns of committed events (src/messaging/event-feed.ts), or how to make it
     * from the store: default a LogTailer on `db`; kafka mode a Kafka consumer (KafkaFeed).
     */
    feed?: EventFeed | ((db: Database) => EventFeed);
    /** The LogTailer's polling fallback (ms), when no feed is given; default 500. */
    feedPollMs?: number;
    /** The rate limiter's clock (ms), for tests that step time; default Date.now. */
    rateLimitClock?: () => number;
    /** The clock of authentication and authorization (session expiry, aws:CurrentTime); tests inject one. */
    now?: () => Date;
    /** How OpenID Connect issuers are reached and their keys cached (src/sts/oidc-keys.ts). */
    oidc?: OidcKeysOptions;
  } = {},
): Promise<Iamgraph> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "iamgraph" } });
  const db = options.db ?? (await openDatabase(storeOptions(config, "serve")));
  // Before anything is written: postgres mode without IAMGRAPH_MASTER_KEY stops here, store untouched.
  const masterKey = resolveMasterKey({ configured: config.masterKey, kind: db.kind, dataDir: db.dataDirLock ? path.dirname(db.dataDirLock.file) : undefined });
  if (options.migrate !== false) {
    const report = await migrate(db.sql, (msg) => logger.info(msg));
    if (report.applied.length > 0) logger.info({ applied: report.applied }, "migrations applied");
  }
  const awsCatalogue = await provideAwsManagedPolicies(db.prisma, config.awsCatalogue, logger);
  const credentials = new CredentialStore(db.prisma, masterKey.box);
  const hashOnly = await credentials.hashOnlyKeys();
  if (hashOnly.length > 0) {
    logger.warn({ accessKeyIds: hashOnly.slice(0, 20), count: hashOnly.length }, "access keys made before secrets were sealed work with HTTP Basic only: rotate them (CreateAccessKey, then DeleteAccessKey) to sign with SigV4");
  }
  const rootKey = await resolveRootKey(credentials, { configured: config.rootKey, mayGenerate: db.kind === "embedded", now: new Date() });
  const bus = createInProcessBus((err) => logger.error({ err }, "event listener failed"));
  const given = typeof options.feed === "function" ? options.feed(db) : options.feed;
  const feed = given ?? new LogTailer(db, { logger, ...(options.feedPollMs ? { pollMs: options.feedPollMs } : {}) });
  const commands = createCommandPipeline({
    db,
    accountId: config.accountId,
    logger,
    // Returns once this instance has applied the command's events, so the next request here
    // sees them in every cache (read-your-writes). The commit stands either way: a feed that
    // cannot catch up (database unreachable) delays the answer by at most this bound.
    settle: async (position) => {
      feed.poke();
      await feed.waitFor(position, 10_000).catch((err: unknown) => logger.warn({ err, position }, "the event feed did not deliver a committed position in time"));
    },
  });
  const policyCache = new CompiledPolicyCache(db.prisma);
  const now = options.now ?? (() => new Date());
  const authorizer = new Authorizer(policyCache, now);
  const sts = new StsService(db.prisma, config.accountId, now, options.oidc, masterKey.box);
  const whoCan = new WhoCan(db.prisma, authorizer, now);
  const stopSessionRetention = startSessionRetention(sts.store, config.roleSessionRetentionDays, now, logger);
  const authenticator = new Authenticator({
    store: credentials,
    accountId: config.accountId,
    root: rootKey.source,
    sessions: sts.authenticator,
    // Temporary credentials signing with SigV4 (X-Amz-Security-Token): the session's sealed secret.
    sessionTokens: (accessKeyId, sessionToken) => sts.authenticator.signing(accessKeyId, sessionToken),
    ...(options.now ? { now: () => now().getTime() } : {}),
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
    now,
  });
  const watermark = new ProjectionWatermark(feed);
  // From the head at boot: caches start empty and subscriptions catch up from the log, so
  // nothing before it needs delivering. The bus is fed by the feed only.
  await feed.start(await headPosition(db.prisma), (events) => bus.publish(events));
  const yoga = createIamgraphYoga({
    prisma: db.prisma,
    commands,
    authorizer,
    whoCan,
    authenticator,
    credentials,
    sts,
    entityFacts,
    authorization: options.authorization ?? "enforced",
    accountId: config.accountId,
    logger,
    production: config.production,
    hardening: config.hardening,
    ...(options.rateLimitClock ? { rateLimitClock: options.rateLimitClock } : {}),
    live,
    operations: new ProjectionOperations(db, logger),
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
    feed,
    authorizer,
    whoCan,
    yoga,
    logger,
    live,
    watermark,
    authenticator,
    credentials,
    sts,
    ...(rootKey.generated ? { generatedRootKey: rootKey.generated } : {}),
    awsCatalogue,
    async close() {
      stopSessionRetention();
      await awsCatalogue.stop();
      await feed.close();
      live.close();
      if (!options.db) await db.close();
    },
  };
}

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { IdKind } from "../domain/shared/ids.js";
import type { Database } from "../db/database.js";
import { appendToStreams } from "../eventstore/append.js";
import { headPosition } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { EventBus } from "../messaging/event-bus.js";
import type { Tx } from "../projections/projection.js";
import { project } from "../projections/runner.js";
import type { Command } from "./command.js";
import { GroupCommitWriter } from "./group-commit.js";
import { newUniqueId } from "./ids.js";
import { planCommand } from "./plan.js";
import { dryApplyInOrder } from "./dry-apply.js";

/** Who asks, and the request it belongs to. */
export interface RequestContext {
  /** The authenticated principal's ARN (`…:root` for the root key). */
  readonly actor: string;
  /** The access key the request was signed with, as CloudTrail records it. */
  readonly accessKeyId?: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

export interface CommandResult {
  /** Position of the command's last event; for a command that changed nothing, the log's head. */
  readonly position: number;
  readonly events: readonly StoredEvent[];
}

const newIdKind: Partial<Record<Command["type"], IdKind>> = { CreateUser: "user", CreateGroup: "group", CreateRole: "role", CreatePolicy: "policy" };

/**
 * The only place where domain, store and projections meet:
 * lock → load → decide → append → project, in one transaction; publish after commit.
 */
export interface CommandPipeline {
  handle(command: Command, request: RequestContext, options?: HandleOptions): Promise<CommandResult>;
  /**
   * Several commands, all or nothing: each is planned against the state its predecessors left,
   * in one transaction; a refusal of any rolls every one back and is thrown as is. Their events
   * share the request's metadata (actor, request and correlation ids). Used by restorePrincipal.
   */
  handleAll(commands: readonly Command[], request: RequestContext): Promise<CommandResult>;
  /** Registers a reader that must see the state exactly as of each command's events (see LiveHub.capture). */
  observe(observer: CommitObserver): void;
  /** Transactions run and commands they carried. */
  stats(): { readonly batches: number; readonly jobs: number };
}

export interface HandleOptions {
  /**
   * Writes that must commit with the command's events but must not enter the log — an access
   * key's secret hash (src/auth/credential-store.ts). Runs only when the command appended events.
   */
  readonly alongside?: (tx: Tx, events: readonly StoredEvent[]) => Promise<void>;
}

/** Runs inside the writing transaction, after the projections, before commit. */
export interface CommitObserver {
  capture(tx: Tx, events: readonly StoredEvent[]): Promise<void>;
}

export function createCommandPipeline(deps: { db: Database; accountId: string; bus: EventBus; logger: Logger; now?: () => Date }): CommandPipeline {
  const { db, accountId, bus, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const writer = new GroupCommitWriter(db);
  const observers: CommitObserver[] = [];

  function metadataOf(command: Command, request: RequestContext): CommandMetadata {
    const kind = newIdKind[command.type];
    const requestId = request.requestId ?? randomUUID();
    return {
      accountId,
      now: now(),
      newId: kind ? newUniqueId(kind) : "",
      actor: request.actor,
      ...(request.accessKeyId ? { accessKeyId: request.accessKeyId } : {}),
      requestId,
      correlationId: request.correlationId ?? requestId,
      ...(request.causationId ? { causationId: request.causationId } : {}),
    };
  }

  /** load → decide → append → project one command inside the writer's transaction. */
  async function applyOne(tx: Tx, command: Command, meta: CommandMetadata, options: HandleOptions): Promise<StoredEvent[]> {
    const appends = await planCommand(tx, command, meta);
    const { newId: _newId, now: occurredAt, ...metadata } = meta;
    // Refusals (DomainError) come from the decider and the append's version guard, before
    // anything is written; the group-commit writer relies on that to drop a refused command
    // from a shared transaction. Past this point a failure must roll the transaction back.
    const stored = await appendToStreams(tx, appends, metadata, occurredAt);
    try {
      await project(tx, stored);
      if (options.alongside && stored.length > 0) await options.alongside(tx, stored);
      for (const observer of observers) await observer.capture(tx, stored);
    } catch (err) {
      throw err instanceof DomainError ? new Error(`failed after writing: ${err.message}`, { cause: err }) : err;
    }
    return stored;
  }

  /**
   * Applies the commands in order in a savepoint, then undoes it: a refusal of any of them
   * surfaces here, before the first real write — so the writer can drop the job from a shared
   * transaction, and no position of the sequence is consumed by a rolled-back insert.
   */
  async function validateInOrder(tx: Tx, commands: readonly Command[], request: RequestContext): Promise<void> {
    await tx.$executeRawUnsafe("SAVEPOINT handle_all");
    try {
      await dryApplyInOrder(tx, commands, commands.map((c) => metadataOf(c, request)), await headPosition(tx));
    } finally {
      await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT handle_all");
      await tx.$executeRawUnsafe("RELEASE SAVEPOINT handle_all");
    }
  }

  return {
    observe(observer) {
      observers.push(observer);
    },
    stats: () => ({ ...writer.stats }),
    async handle(command, request, options = {}) {
      const meta = metadataOf(command, request);
      // The writer holds the write lock from before loading until commit, so the state the
      // decider sees is still current when its events are appended.
      const result = await writer.submit(async (tx) => {
        const stored = await applyOne(tx, command, meta, options);
        const position = stored.at(-1)?.position ?? (await headPosition(tx));
        return { position, events: stored };
      });
      logger.debug({ command: command.type, requestId: meta.requestId, position: result.position, events: result.events.length }, "command handled");
      bus.publish(result.events);
      return result;
    },
    async handleAll(commands, request) {
      const requestId = request.requestId ?? randomUUID();
      const shared: RequestContext = { ...request, requestId, correlationId: request.correlationId ?? requestId };
      const result = await writer.submit(async (tx) => {
        if (commands.length > 1) await validateInOrder(tx, commands, shared);
        const stored: StoredEvent[] = [];
        for (const command of commands) {
          try {
            stored.push(...(await applyOne(tx, command, metadataOf(command, shared), {})));
          } catch (err) {
            // Not expected after validateInOrder, but if a later command were refused after its
            // predecessors wrote, the whole transaction must roll back (the writer drops a job
            // refused with a DomainError and commits the rest): rethrown as a plain Error, it
            // makes the writer rerun this job alone, where it fails again and rolls back.
            if (err instanceof DomainError && stored.length > 0) throw new RefusedAfterWriting(err);
            throw err;
          }
        }
        const position = stored.at(-1)?.position ?? (await headPosition(tx));
        return { position, events: stored };
      }).catch((err: unknown) => {
        throw err instanceof RefusedAfterWriting ? err.refusal : err;
      });
      logger.debug({ commands: commands.length, requestId, position: result.position, events: result.events.length }, "commands handled");
      bus.publish(result.events);
      return result;
    },
  };
}

/** A refusal that came after earlier commands of the same job had written (see handleAll). */
class RefusedAfterWriting extends Error {
  constructor(readonly refusal: DomainError) {
    super(`refused after writing: ${refusal.message}`);
  }
}

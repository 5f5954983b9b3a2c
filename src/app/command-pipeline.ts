import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { idPrefixes, uniqueIdPattern, type IdKind } from "../domain/shared/ids.js";
import type { Database } from "../db/database.js";
import { appendToStreams } from "../eventstore/append.js";
import { rewindPositions } from "../eventstore/positions.js";
import { headPosition } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { Tx } from "../db/transaction.js";
import { projectInline } from "../projections/inline-projector.js";
import type { Command } from "./command.js";
import { GroupCommitWriter } from "./group-commit.js";
import { newUniqueId } from "./ids.js";
import { loadAndDecide } from "./load-and-decide.js";
import { authorizeCommand, type Authorize } from "./command-authorization.js";

/** Who asks, and the request it belongs to. */
export interface RequestContext {
  /** The authenticated principal's ARN (`…:root` for the root key). */
  readonly actor: string;
  /** The access key the request was signed with, as CloudTrail records it. */
  readonly accessKeyId?: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /**
   * The time the request's events record, instead of the clock: an imported snapshot's time
   * (src/snapshot). In-process senders only; the API never sets it.
   */
  readonly at?: Date;
  /**
   * A snapshot import of an account whose AWS quotas were raised (src/snapshot, `--over-quota
   * note`): a command past one of iamgraph's quotas is decided anyway and its event records the
   * excess (src/domain/shared/quotas.ts). In-process senders only; the API never sets it, so every
   * ordinary mutation is refused at the quota.
   */
  readonly pastQuotas?: "note";
  /**
   * Decides each command's checks for the caller, under the write lock (command-authorization.ts).
   * Absent: the sender is trusted and nothing is checked — in-process senders only (the CLI,
   * seeds, tests, benches); every API request carries its caller's.
   */
  readonly authorize?: Authorize;
}

export interface CommandResult {
  /** Position of the command's last event; for a command that changed nothing, the log's head. */
  readonly position: number;
  readonly events: readonly StoredEvent[];
}

const newIdKind: Partial<Record<Command["type"], IdKind>> = { CreateUser: "user", CreateGroup: "group", CreateRole: "role", CreatePolicy: "policy" };

/**
 * The only place where domain, store and projections meet:
 * lock → authorize → load → decide → append → project, in one transaction; after commit, wait
 * until this process's event feed has delivered the result's position (see `settle`).
 */
export interface CommandPipeline {
  handle(command: Command, request: RequestContext, options?: HandleOptions): Promise<CommandResult>;
  /**
   * Several commands, all or nothing: each is authorized and planned against the state its
   * predecessors left, in one transaction; a refusal of any rolls every one back and is thrown as
   * is. Their events share the request's metadata (actor, request and correlation ids). Used by
   * restorePrincipal.
   */
  handleAll(commands: readonly Command[], request: RequestContext, options?: GroupOptions): Promise<CommandResult>;
  /**
   * Rollback mode, for previews and dry runs: the commands go through exactly the path
   * `handleAll` takes — same lock, same authorization, same planner and refusals, the real
   * append and projections — and then everything is rolled back: nothing is kept, published or
   * delivered, and no position is consumed. `inspect` reads the transaction on the way.
   */
  rehearse<T>(commands: readonly Command[], request: RequestContext, inspect: Rehearsal<T>, options?: GroupOptions): Promise<T>;
  /** Transactions run and commands they carried. */
  stats(): { readonly batches: number; readonly jobs: number };
}

export interface GroupOptions {
  /**
   * Longest the one transaction may run (default 60 s). A snapshot import is thousands of
   * commands, all or nothing (src/snapshot): it holds the write lock that long.
   */
  readonly timeoutMs?: number;
}

export interface HandleOptions {
  /**
   * Writes that must commit with the command's events but must not enter the log — an access
   * key's secret hash (src/auth/credential-store.ts). Runs only when the command appended events.
   */
  readonly alongside?: (tx: Tx, events: readonly StoredEvent[]) => Promise<void>;
}

/** What a rehearsal reads of the transaction before it is rolled back. */
export interface Rehearsal<T> {
  /** After each command's events are appended, before they are projected: the read models still show the state before them. */
  readonly beforeProject?: (tx: Tx, events: readonly StoredEvent[]) => Promise<void>;
  /** After every command: the state they leave; `head` is the log's head before the first. */
  readonly conclude: (tx: Tx, events: readonly StoredEvent[], head: number) => Promise<T>;
}

interface RunOptions extends HandleOptions {
  readonly beforeProject?: Rehearsal<unknown>["beforeProject"];
}

export interface PipelineDeps {
  readonly db: Database;
  readonly accountId: string;
  readonly logger: Logger;
  /**
   * Called after each commit with the result's position; resolves once this process has applied
   * it. The pipeline publishes nothing itself: every event, its own included, reaches caches and
   * subscribers through the process's event feed (messaging/event-feed.ts), the same way
   * wherever it was committed — and waiting here keeps read-your-writes on this instance (a
   * revoke answered here is enforced by the next request here). Absent: returns at commit.
   */
  readonly settle?: (position: number) => Promise<void>;
  readonly now?: () => Date;
}

export function createCommandPipeline(deps: PipelineDeps): CommandPipeline {
  const { db, accountId, logger } = deps;
  const settle = deps.settle ?? (async () => undefined);
  const now = deps.now ?? (() => new Date());
  const writer = new GroupCommitWriter(db);

  /** The one place a command's metadata is made, for real writes and rehearsals alike. */
  function metadataOf(command: Command, request: RequestContext): CommandMetadata {
    const kind = newIdKind[command.type];
    const requestId = request.requestId ?? randomUUID();
    return {
      accountId,
      now: request.at ?? now(),
      newId: kind ? (importedIdOf(command, kind) ?? newUniqueId(kind)) : "",
      actor: request.actor,
      ...(request.accessKeyId ? { accessKeyId: request.accessKeyId } : {}),
      requestId,
      correlationId: request.correlationId ?? requestId,
      ...(request.causationId ? { causationId: request.causationId } : {}),
      ...(request.pastQuotas ? { pastQuotas: request.pastQuotas } : {}),
    };
  }

  /** One request id and correlation id for every command of a group. */
  function shared(request: RequestContext): RequestContext {
    const requestId = request.requestId ?? randomUUID();
    return { ...request, requestId, correlationId: request.correlationId ?? requestId };
  }

  /** authorize → load → decide → append → project each command, in order, inside the writer's transaction. */
  async function run(tx: Tx, commands: readonly Command[], request: RequestContext, options: RunOptions): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    for (const command of commands) {
      // Under the lock, on the state the decider is about to see: a tag or policy changed while
      // the request waited decides (defect 3 of issue 11). Before planning, so a denied caller
      // learns nothing the planner would say (NoSuchEntity, EntityAlreadyExists).
      if (request.authorize) await authorizeCommand(tx, accountId, command, request.authorize);
      const meta = metadataOf(command, request);
      const appends = await loadAndDecide(tx, command, meta);
      // What a decider is allowed is not event metadata: the events themselves say what went past a quota.
      const { newId: _newId, now: occurredAt, pastQuotas: _pastQuotas, ...metadata } = meta;
      // Refusals (DomainError) come from authorization, the decider and the append's version
      // guard, before anything is written; the group-commit writer relies on that to drop a
      // refused command from a shared transaction. Past this point a failure must roll back.
      const events = await appendToStreams(tx, appends, metadata, occurredAt);
      try {
        if (options.beforeProject) await options.beforeProject(tx, events);
        await projectInline(tx, events);
        if (options.alongside && events.length > 0) await options.alongside(tx, events);
      } catch (err) {
        throw afterWriting(err);
      }
      stored.push(...events);
    }
    return stored;
  }

  /**
   * Runs `body` in a savepoint of the writer's transaction and undoes it when it throws — or
   * always, with `keep: false` — handing back the positions it took. A group's later command
   * may be refused after its predecessors wrote; undone here, the refusal leaves the shared
   * transaction as it was, so the writer can drop the job and commit the others.
   */
  async function inSavepoint<T>(tx: Tx, keep: boolean, body: (head: number) => Promise<T>): Promise<T> {
    const head = await headPosition(tx);
    await tx.$executeRawUnsafe("SAVEPOINT pipeline_group");
    let value: T;
    try {
      value = await body(head);
    } catch (err) {
      await undo(tx, head);
      throw err;
    }
    if (keep) await tx.$executeRawUnsafe("RELEASE SAVEPOINT pipeline_group");
    else await undo(tx, head);
    return value;
  }

  async function undo(tx: Tx, head: number): Promise<void> {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT pipeline_group");
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT pipeline_group");
    await rewindPositions(tx, head);
  }

  return {
    stats: () => ({ ...writer.stats }),
    async handle(command, request, options = {}) {
      // The writer holds the write lock from before authorizing until commit, so the state the
      // caller is authorized on and the decider decides on is still current when its events are appended.
      const result = await writer.submit(async (tx) => {
        const stored = await run(tx, [command], request, options);
        const position = stored.at(-1)?.position ?? (await headPosition(tx));
        return { position, events: stored };
      });
      logger.debug({ command: command.type, requestId: request.requestId, position: result.position, events: result.events.length }, "command handled");
      await settle(result.position);
      return result;
    },
    async handleAll(commands, request, options = {}) {
      const group = shared(request);
      const result = await writer.submit(async (tx) => {
        // A single command refuses before it writes; a group may refuse after, so it runs in a savepoint.
        const stored = commands.length > 1 ? await inSavepoint(tx, true, () => run(tx, commands, group, {})) : await run(tx, commands, group, {});
        const position = stored.at(-1)?.position ?? (await headPosition(tx));
        return { position, events: stored };
      }, options);
      logger.debug({ commands: commands.length, requestId: group.requestId, position: result.position, events: result.events.length }, "commands handled");
      await settle(result.position);
      return result;
    },
    rehearse(commands, request, inspect, options = {}) {
      const group = shared(request);
      return writer.submit(
        (tx) => inSavepoint(tx, false, async (head) => inspect.conclude(tx, await run(tx, commands, group, inspect.beforeProject ? { beforeProject: inspect.beforeProject } : {}), head)),
        options,
      );
    },
  };
}

/** An imported entity keeps AWS's id (src/domain/shared/imported.ts), if it is one of the kind's. */
function importedIdOf(command: Command, kind: IdKind): string | undefined {
  const imported = "imported" in command ? command.imported : undefined;
  if (!imported || !("id" in imported)) return undefined;
  if (!uniqueIdPattern.test(imported.id) || !imported.id.startsWith(idPrefixes[kind])) {
    throw new DomainError("InvalidInput", `${imported.id} is not an AWS ${kind} id (${idPrefixes[kind]} + 17 characters of [A-Z0-9]).`);
  }
  return imported.id;
}

/** Past the append a failure must roll the transaction back: a DomainError there is not a refusal. */
function afterWriting(err: unknown): unknown {
  return err instanceof DomainError ? new Error(`failed after writing: ${err.message}`, { cause: err }) : err;
}

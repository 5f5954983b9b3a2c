import { randomUUID } from "node:crypto";
import type { CommandPipeline, RequestContext } from "../app/command-pipeline.js";
import { previewChanges, type ChangePreview } from "../app/preview-change.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { parseStreamId } from "../domain/shared/stream-ids.js";
import { headPosition, type RawQueryable } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { accountStateAt } from "./account-state.js";
import { diffAccount } from "./diff.js";
import type { AccountState } from "./model.js";
import { parseSnapshot, type OverQuota, type OverQuotaMode, type UnknownAwsPolicy } from "./parse-snapshot.js";

export interface ImportDeps {
  readonly pipeline: CommandPipeline;
  readonly db: RawQueryable;
  /** The store's account: a file of another account is refused. */
  readonly accountId: string;
  readonly now?: () => Date;
}

export interface ImportOptions {
  /** The file's name: the events' actor is `import:<source>`. */
  readonly source: string;
  /** The snapshot's time, which every event records. Default: now. */
  readonly asOf?: Date;
  readonly dryRun?: boolean;
  readonly unknownAwsPolicies?: "skip" | "refuse";
  /**
   * Elements past iamgraph's quotas: "note" (the default) imports them, each event that goes past a
   * quota recording it (`quotaExceeded`); "refuse" refuses the file, naming each one.
   */
  readonly overQuota?: OverQuotaMode;
  /** Dry run: the actions to evaluate before and after (default: those the affected policies name). */
  readonly previewActions?: readonly string[];
  readonly onProgress?: (message: string) => void;
}

export interface ImportReport {
  readonly accountId: string;
  readonly asOf: Date;
  readonly actor: string;
  readonly applied: boolean;
  /** Applied: the last event's position (the head when nothing changed). Dry run: the head. */
  readonly position: number;
  readonly correlationId: string;
  readonly commands: number;
  readonly eventCounts: Readonly<Record<string, number>>;
  /** ARNs of the users, groups, roles and policies whose streams get events. */
  readonly entitiesTouched: readonly string[];
  readonly unknownAwsPolicies: readonly UnknownAwsPolicy[];
  /** Elements of the file past iamgraph's quotas; imported (noted in their events) unless refused. */
  readonly overQuota: readonly OverQuota[];
  readonly preview?: ChangePreview;
}

/**
 * Brings iamgraph to the state of a get-account-authorization-details file by the commands the
 * API would send (diff.ts), through the one command pipeline: all in one transaction or nothing,
 * every event stamped with the snapshot's time, actor `import:<source>` and one correlation id.
 * `request` carries the caller's authorization when the import comes through the API.
 */
export async function importAccountSnapshot(deps: ImportDeps, text: string, options: ImportOptions, request: Omit<RequestContext, "actor" | "at" | "pastQuotas"> = {}): Promise<ImportReport> {
  const progress = options.onProgress ?? (() => undefined);
  // The AWS-managed policies this store holds (the full catalogue, or the built-in five).
  const awsArns = new Set((await deps.db.$queryRawUnsafe<{ arn: string }[]>(`SELECT arn FROM policies WHERE is_aws_managed`)).map((r) => r.arn));
  const overQuota = options.overQuota ?? "note";
  const parsed = parseSnapshot(text, { unknownAwsPolicies: options.unknownAwsPolicies ?? "skip", knownAwsPolicy: (arn) => awsArns.has(arn), overQuota });
  const target = parsed.state;
  progress(`read ${target.users.length} users, ${target.groups.length} groups, ${target.roles.length} roles, ${target.policies.length} customer-managed policies`);
  if (target.accountId !== deps.accountId) {
    throw new DomainError("InvalidInput", `The snapshot is of account ${target.accountId}; this store is account ${deps.accountId}'s. Nothing was imported.`);
  }
  const now = (deps.now ?? (() => new Date()))();
  const asOf = options.asOf ?? now;
  if (asOf.getTime() > now.getTime()) throw new DomainError("InvalidInput", `The snapshot's time ${asOf.toISOString()} is in the future.`);
  const latest = await latestEventTime(deps.db);
  // A timestamp in history means "the last position at or before it": the log's times must not go back.
  if (latest && asOf.getTime() < latest.getTime()) {
    throw new DomainError("InvalidInput", `The snapshot's time ${asOf.toISOString()} is before the log's latest event (${latest.toISOString()}): import snapshots oldest first. Nothing was imported.`);
  }
  const head = await headPosition(deps.db);
  const current = await accountStateAt(deps.db, deps.accountId, head);
  const { commands } = diffAccount(current, target);
  progress(`${commands.length} commands to apply against position ${head}`);
  const actor = `import:${options.source}`;
  const correlationId = request.correlationId ?? randomUUID();
  // Noting, the deciders decide past a quota and say so in the event; refusing, they refuse as for any command.
  const sent: RequestContext = { ...request, actor, at: asOf, correlationId, ...(overQuota === "note" ? { pastQuotas: "note" as const } : {}) };
  const base = { accountId: target.accountId, asOf, actor, correlationId, commands: commands.length, unknownAwsPolicies: parsed.unknownAwsPolicies, overQuota: parsed.overQuota };
  const summary = (events: readonly StoredEvent[]) => ({ eventCounts: countByType(events), entitiesTouched: touched(events, current, target) });
  if (commands.length === 0) return { ...base, applied: !options.dryRun, position: head, ...summary([]) };
  // All or nothing in one transaction, holding the write lock: allowed time in proportion to its size.
  const timeout = { timeoutMs: 60_000 + 100 * commands.length };
  if (options.dryRun) {
    const preview = await previewChanges(deps.pipeline, commands, sent, options.previewActions, "*", timeout);
    return { ...base, applied: false, position: preview.position, ...summary(preview.events), preview };
  }
  const result = await deps.pipeline.handleAll(commands, sent, timeout);
  progress(`appended ${result.events.length} events, through position ${result.position}`);
  return { ...base, applied: true, position: result.position, ...summary(result.events) };
}

async function latestEventTime(db: RawQueryable): Promise<Date | undefined> {
  const rows = await db.$queryRawUnsafe<{ t: Date | string | null }[]>(`SELECT max(occurred_at) AS t FROM events`);
  return rows[0]?.t ? new Date(rows[0].t) : undefined;
}

function countByType(events: readonly StoredEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

function touched(events: readonly StoredEvent[], ...states: AccountState[]): string[] {
  const arnOf = new Map<string, string>();
  for (const s of states) for (const e of [...s.users, ...s.groups, ...s.roles, ...s.policies]) arnOf.set(e.id, e.arn);
  const ids = new Set(events.map((e) => parseStreamId(e.streamId)?.id).filter((id): id is string => id !== undefined));
  return [...ids].map((id) => arnOf.get(id) ?? id).sort();
}

import type { Logger } from "pino";
import type { SessionStore } from "./session-store.js";

// How long role_sessions keeps the record of a session after it expired. The record is the audit
// trail of who held which role when (roleSessions, principalsAllowed's "who could act as"), so it
// outlives the session — by default a year, past CloudTrail's 90-day event history — and is then
// deleted: it holds a hashed secret and the session's tags, which should not pile up forever.
// IAMGRAPH_ROLE_SESSION_RETENTION_DAYS sets the period; 0 keeps every record.

export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/** Deletes the records of sessions that expired more than `retentionDays` before `now`; how many. */
export function pruneExpiredSessions(store: SessionStore, retentionDays: number, now: Date): Promise<number> {
  return store.pruneExpiredBefore(new Date(now.getTime() - retentionDays * DAY_MS));
}

/**
 * Prunes at start and then hourly (every instance may: the delete is idempotent). Returns the
 * stop function. Retention 0 starts nothing.
 */
export function startSessionRetention(store: SessionStore, retentionDays: number, now: () => Date, logger: Logger): () => void {
  if (retentionDays === 0) return () => undefined;
  const prune = () =>
    pruneExpiredSessions(store, retentionDays, now()).then(
      (count) => count > 0 && logger.info({ count, retentionDays }, "pruned expired role session records"),
      (err: unknown) => logger.warn({ err }, "pruning expired role session records failed; retrying in an hour"),
    );
  void prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

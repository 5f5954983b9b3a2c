import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import { DomainError, invalidInput } from "../domain/shared/domain-error.js";
import { projectionStatus, rebuildProjections, selectProjections, type ProjectionStatus, type RebuildProgress, type RebuildResult } from "../projections/rebuild.js";
import { RebuildInProgress } from "../projections/rebuild-lock.js";

/** A rebuild this server started: running, or how it ended. */
export interface RebuildRun {
  readonly projections: readonly string[];
  readonly startedAt: Date;
  readonly requestedBy: string;
  progress: RebuildProgress | undefined;
  finishedAt: Date | undefined;
  result: RebuildResult | undefined;
  /** Why it failed; the live tables are then the old ones (the switch is one transaction). */
  error: string | undefined;
}

/**
 * Operator operations that run inside the server, on its own store handle. Embedded mode needs
 * this: the data directory is one process's (src/db/data-dir-lock.ts), so a rebuild started from
 * a second process could only corrupt it. Run here, the rebuild shares the server's PGlite, whose
 * queries wait for open transactions, so the API keeps serving while it replays.
 *
 * A rebuild runs in the background — it can take longer than any HTTP request may — and its
 * progress and outcome are read with `status()`.
 */
export class ProjectionOperations {
  #current: RebuildRun | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async status(): Promise<{ projections: ProjectionStatus[]; rebuild: RebuildRun | undefined }> {
    return { projections: await projectionStatus(this.db), rebuild: this.#current };
  }

  /** Starts a rebuild of the named projections (all when none is named). */
  startRebuild(names: readonly string[], requestedBy: string): RebuildRun {
    try {
      selectProjections(names); // unknown names are refused before anything starts
    } catch (err) {
      throw invalidInput((err as Error).message);
    }
    if (this.#current && !this.#current.finishedAt) {
      throw new DomainError("ConcurrentModification", new RebuildInProgress(this.#current.projections).message);
    }
    const run: RebuildRun = { projections: names.length > 0 ? [...names] : selectProjections().map((p) => p.name), startedAt: new Date(), requestedBy, progress: undefined, finishedAt: undefined, result: undefined, error: undefined };
    this.#current = run;
    this.logger.info({ projections: run.projections, requestedBy }, "projection rebuild started");
    void rebuildProjections(this.db, {
      projections: names,
      onProgress: (p) => {
        run.progress = p;
      },
    }).then(
      (result) => {
        run.result = result;
        run.finishedAt = new Date();
        this.logger.info({ projections: result.projections, events: result.events, position: result.position }, "projection rebuild finished");
      },
      (err: unknown) => {
        run.error = err instanceof Error ? err.message : String(err);
        run.finishedAt = new Date();
        // Another process's rebuild holding the lock is an operator's race, not a failure of ours.
        if (err instanceof RebuildInProgress) this.logger.warn({ projections: run.projections }, run.error);
        else this.logger.error({ err, projections: run.projections }, "projection rebuild failed");
      },
    );
    return run;
  }
}

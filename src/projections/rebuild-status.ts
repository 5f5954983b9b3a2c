import type { Database } from "../db/database.js";
import { headPosition, type RawQueryable } from "../eventstore/read.js";
import { lockedProjections } from "./rebuild-lock.js";
import { listStaging, type StagingState } from "./rebuild-staging.js";
import { projections } from "./inline-projector.js";

export interface RebuildInfo {
  /** Running: some session holds the rebuild lock; otherwise a run died and left its staging. */
  readonly running: boolean;
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly pid: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly stagingSchema: string;
}

export interface ProjectionStatus {
  readonly name: string;
  /** 1 for the tables the migrations created, +1 per completed rebuild. */
  readonly version: number;
  readonly checkpoint: number;
  readonly head: number;
  readonly lag: number;
  readonly updatedAt: Date | null;
  readonly rebuiltAt: Date | null;
  readonly rebuild: RebuildInfo | undefined;
}

export async function projectionStatus(db: Pick<Database, "sql">): Promise<ProjectionStatus[]> {
  const sql = db.sql;
  const queryable: RawQueryable = { $queryRawUnsafe: (q: string, ...v: unknown[]) => sql.query(q, v) as never };
  const [head, checkpoints, versions, [{ live } = { live: "public" }]] = await Promise.all([
    headPosition(queryable),
    sql.query<{ name: string; position: unknown; updated_at: Date }>(`SELECT name, position, updated_at FROM projection_checkpoints`),
    sql.query<{ name: string; version: number; rebuilt_at: Date }>(`SELECT name, version, rebuilt_at FROM projection_versions`),
    sql.query<{ live: string }>(`SELECT current_schema() AS live`),
  ]);
  const names = projections.map((p) => p.name);
  const [staging, locked] = await Promise.all([listStaging((q, p) => sql.query(q, p), live), lockedProjections(sql, names)]);
  const rebuildOf = new Map<string, RebuildInfo>();
  for (const s of staging) {
    if (!s.state) continue;
    for (const name of s.state.projections) rebuildOf.set(name, info(s.schema, s.state, s.state.projections.some((p) => locked.has(p))));
  }
  const cp = new Map(checkpoints.map((c) => [c.name, c]));
  const ver = new Map(versions.map((v) => [v.name, v]));
  return names.map((name) => {
    const checkpoint = Number(cp.get(name)?.position ?? 0);
    return {
      name,
      version: ver.get(name)?.version ?? 1,
      checkpoint,
      head,
      lag: head - checkpoint,
      updatedAt: cp.get(name)?.updated_at ?? null,
      rebuiltAt: ver.get(name)?.rebuilt_at ?? null,
      rebuild: rebuildOf.get(name),
    };
  });
}

function info(schema: string, s: StagingState, running: boolean): RebuildInfo {
  return { running, phase: s.phase, done: Number(s.done), total: Number(s.total), pid: s.pid, startedAt: s.startedAt, updatedAt: s.updatedAt, stagingSchema: schema };
}

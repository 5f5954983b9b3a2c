import { headPosition, readAll } from "../eventstore/read.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { project, projections } from "./runner.js";

/** The rows each projection owns; a rebuild empties exactly these before replaying. */
const tablesOf: Record<string, readonly string[]> = {
  users: ["user_tags", "users"],
  groups: ["group_memberships", "groups"],
  roles: ["role_tags", "roles"],
  // AWS-managed policies are seeded reference data, not folded from the log: they stay.
  policies: [
    "policy_tags WHERE policy_id IN (SELECT id FROM policies WHERE account_id <> 'aws')",
    "policy_versions WHERE policy_id IN (SELECT id FROM policies WHERE account_id <> 'aws')",
    "policies WHERE account_id <> 'aws'",
  ],
  permissions: ["policy_attachments", "inline_policies"],
  "effective-policies": ["effective_policies"],
};

export interface ProjectionStatus {
  readonly name: string;
  readonly checkpoint: number;
  readonly head: number;
  readonly lag: number;
  readonly updatedAt: Date | null;
}

export async function projectionStatus(prisma: PrismaClient): Promise<ProjectionStatus[]> {
  const [head, rows] = await Promise.all([headPosition(prisma), prisma.projectionCheckpoint.findMany()]);
  const byName = new Map(rows.map((r) => [r.name, r]));
  return projections.map((p) => {
    const row = byName.get(p.name);
    const checkpoint = Number(row?.position ?? 0);
    return { name: p.name, checkpoint, head, lag: head - checkpoint, updatedAt: row?.updatedAt ?? null };
  });
}

/**
 * Rebuilds every read model from the log: empties the projections' rows and replays the whole log
 * through `project`, in ONE transaction under the write lock. Readers keep seeing the old rows
 * until the commit switches them over at once (DELETE, not TRUNCATE, so PostgreSQL readers are
 * not blocked by an exclusive lock); a crash or kill mid-way rolls everything back, so running
 * it again starts from the same place and ends with the same tables. Writers wait for the lock.
 * Not yet the blue/green goal: the work is not resumable and holds the write lock throughout.
 */
export async function rebuildProjections(
  prisma: PrismaClient,
  onProgress?: (done: number, total: number) => void,
  pageSize = 1000,
): Promise<{ events: number; head: number }> {
  const unknown = projections.filter((p) => !tablesOf[p.name]).map((p) => p.name);
  if (unknown.length > 0) throw new Error(`rebuild does not know the tables of projection(s) ${unknown.join(", ")}; add them to tablesOf`);
  return prisma.$transaction(
    async (tx) => {
      await takeWriteLock(tx);
      for (const p of [...projections].reverse()) {
        for (const table of tablesOf[p.name]!) await tx.$executeRawUnsafe(`DELETE FROM ${table}`);
      }
      await tx.$executeRawUnsafe(`DELETE FROM projection_checkpoints WHERE name = ANY($1::text[])`, projections.map((p) => p.name));
      const head = await headPosition(tx);
      let after = 0;
      let done = 0;
      for (;;) {
        const events = await readAll(tx, after, pageSize);
        if (events.length === 0) break;
        await project(tx, events);
        done += events.length;
        after = events.at(-1)!.position;
        onProgress?.(done, head);
      }
      return { events: done, head };
    },
    { maxWait: 60_000, timeout: 24 * 60 * 60_000 },
  );
}

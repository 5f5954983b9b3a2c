import type { StoredEvent } from "../eventstore/stored-event.js";
import { groupsProjection } from "./groups-projection.js";
import type { Projection, Tx } from "./projection.js";
import { usersProjection } from "./users-projection.js";

/** Every projection, in the order they run. */
export const projections: readonly Projection[] = [usersProjection, groupsProjection];

/**
 * Folds events into each projection inside the caller's transaction, moving each projection's
 * checkpoint in the same transaction — so a read model and its checkpoint never disagree, and
 * events at or below the checkpoint (a replay) are skipped.
 */
export async function project(tx: Tx, events: readonly StoredEvent[], only: readonly Projection[] = projections): Promise<void> {
  if (events.length === 0) return;
  const last = events[events.length - 1]!.position;
  const checkpoints = await tx.projectionCheckpoint.findMany({ where: { name: { in: only.map((p) => p.name) } } });
  const at = new Map(checkpoints.map((c) => [c.name, Number(c.position)]));
  for (const projection of only) {
    const checkpoint = at.get(projection.name) ?? 0;
    for (const event of events) {
      if (event.position <= checkpoint || !projection.handles.has(event.type)) continue;
      await projection.apply(tx, event);
    }
    if (last > checkpoint) {
      await tx.projectionCheckpoint.upsert({
        where: { name: projection.name },
        create: { name: projection.name, position: BigInt(last) },
        update: { position: BigInt(last) },
      });
    }
  }
}

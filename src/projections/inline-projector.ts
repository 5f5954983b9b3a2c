import type { StoredEvent } from "../eventstore/stored-event.js";
import { accessKeysProjection } from "./access-keys-projection.js";
import { effectivePoliciesProjection } from "./effective-policies-projection.js";
import { groupsProjection } from "./groups-projection.js";
import { permissionsProjection } from "./permissions-projection.js";
import { policiesProjection } from "./policies-projection.js";
import type { Tx } from "../db/transaction.js";
import type { Projection } from "./projection.js";
import { rolesProjection } from "./roles-projection.js";
import { oidcProvidersProjection } from "./oidc-providers-projection.js";
import { applyInline } from "./sql-writer.js";
import { usersProjection } from "./users-projection.js";

/**
 * Every projection, in the order they run for each event. The effective-policies projection
 * reads memberships, attachments and inline policies, so it comes after the ones writing them.
 */
export const projections: readonly Projection[] = [
  usersProjection,
  groupsProjection,
  rolesProjection,
  policiesProjection,
  permissionsProjection,
  effectivePoliciesProjection,
  accessKeysProjection,
  oidcProvidersProjection,
];

/**
 * Folds events into each projection inside the caller's transaction, moving each projection's
 * checkpoint in the same transaction — so a read model and its checkpoint never disagree, and
 * events at or below the checkpoint (a replay) are skipped. Event by event, projection by
 * projection, so a projection that reads another's table sees it as of the same event.
 */
export async function projectInline(tx: Tx, events: readonly StoredEvent[], only: readonly Projection[] = projections): Promise<void> {
  if (events.length === 0) return;
  const last = events[events.length - 1]!.position;
  // One statement reads every checkpoint and moves those that are behind: the CTE's SELECT sees
  // them as they were before the upsert, which is what the skip below needs. The move lands
  // before the rows it covers, inside the same transaction, so no reader sees one without the other.
  const before = await tx.$queryRawUnsafe<{ name: string; position: bigint | number | string }[]>(
    `WITH before AS (SELECT name, position FROM projection_checkpoints WHERE name = ANY($1::text[])),
          moved AS (
            INSERT INTO projection_checkpoints (name, position, updated_at)
            SELECT name, $2::bigint, now() FROM unnest($1::text[]) AS name
            ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
             WHERE projection_checkpoints.position < EXCLUDED.position)
     SELECT name, position FROM before`,
    only.map((p) => p.name),
    last,
  );
  const at = new Map(before.map((c) => [c.name, Number(c.position)]));
  for (const event of events) {
    for (const projection of only) {
      if (event.position <= (at.get(projection.name) ?? 0) || !projection.handles.has(event.type)) continue;
      await applyInline(tx, projection, event);
    }
  }
}

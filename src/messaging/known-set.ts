import { pathKey } from "../domain/permissions/effective-paths.js";
import type { RawQueryable } from "../eventstore/read.js";
import type { PolicyPath } from "./messages.js";

/**
 * A principal's effective policy set as the live fan-out last saw it: read from the
 * effective-policies projection, with each path's revision (the managed policy's default version,
 * the inline policy's last write) so a moved default version shows as a change.
 */
export interface KnownSet {
  readonly principalId: string | undefined;
  /** path key → path and revision */
  readonly paths: ReadonlyMap<string, { readonly path: PolicyPath; readonly revision: string }>;
  /** The groups the user is in: a change to any of them may change the set. */
  readonly groupIds: ReadonlySet<string>;
}

export const absentSet: KnownSet = { principalId: undefined, paths: new Map(), groupIds: new Set() };

/** The keys an event must name to possibly change this set (see messages.ts eventKeys). */
export function knownSetKeys(set: KnownSet): string[] {
  const keys = [...set.groupIds];
  if (set.principalId) keys.push(set.principalId);
  for (const { path } of set.paths.values()) if (path.policyArn) keys.push(path.policyArn);
  return keys;
}

interface Row {
  principal_arn: string;
  principal_id: string;
  source_key: string | null;
  via_group_id: string | null;
  kind: string | null;
  policy_arn: string | null;
  policy_name: string | null;
  owner_type: string | null;
  owner_id: string | null;
  version_id: string | null;
  inline_updated: Date | string | null;
  via_group_name: string | null;
}

/**
 * Known sets for many principals in two queries whatever their number: one for the principals
 * and their paths, one for memberships. Principals that do not exist map to `absentSet`.
 */
export async function loadKnownSets(db: RawQueryable, arns: readonly string[]): Promise<Map<string, KnownSet>> {
  const result = new Map<string, KnownSet>(arns.map((a) => [a, absentSet]));
  if (arns.length === 0) return result;
  const rows = await db.$queryRawUnsafe<Row[]>(
    `WITH principals AS (
       SELECT arn, id FROM users WHERE arn = ANY($1::text[])
       UNION ALL SELECT arn, id FROM roles WHERE arn = ANY($1::text[]))
     SELECT pr.arn AS principal_arn, pr.id AS principal_id, e.source_key, e.via_group_id, e.kind, e.policy_arn, e.policy_name,
            e.owner_type, e.owner_id, p.default_version_id AS version_id, i.updated_at AS inline_updated, g.group_name AS via_group_name
       FROM principals pr
       LEFT JOIN effective_policies e ON e.principal_id = pr.id
       LEFT JOIN policies p ON p.arn = e.policy_arn
       LEFT JOIN inline_policies i ON e.kind = 'inline' AND i.entity_type = e.owner_type AND i.entity_id = e.owner_id AND i.policy_name = e.policy_name
       LEFT JOIN groups g ON e.via_group_id <> '' AND g.id = e.via_group_id`,
    arns,
  );
  const byId = new Map<string, { arn: string; paths: Map<string, { path: PolicyPath; revision: string }>; groupIds: Set<string> }>();
  for (const row of rows) {
    let entry = byId.get(row.principal_id);
    if (!entry) byId.set(row.principal_id, (entry = { arn: row.principal_arn, paths: new Map(), groupIds: new Set() }));
    if (row.source_key === null) continue;
    const path: PolicyPath = {
      kind: row.kind as PolicyPath["kind"],
      policyArn: row.policy_arn,
      policyName: row.policy_name!,
      ownerType: row.owner_type!,
      ownerId: row.owner_id!,
      viaGroupId: row.via_group_id || null,
      viaGroupName: row.via_group_name,
      versionId: row.version_id,
    };
    const revision = row.version_id ?? (row.inline_updated ? new Date(row.inline_updated).toISOString() : "");
    entry.paths.set(pathKey(row.source_key, row.via_group_id ?? ""), { path, revision });
  }
  if (byId.size > 0) {
    const memberships = await db.$queryRawUnsafe<{ user_id: string; group_id: string }[]>(
      `SELECT user_id, group_id FROM group_memberships WHERE user_id = ANY($1::text[])`,
      [...byId.keys()],
    );
    for (const m of memberships) byId.get(m.user_id)?.groupIds.add(m.group_id);
  }
  for (const [principalId, e] of byId) result.set(e.arn, { principalId, paths: e.paths, groupIds: e.groupIds });
  return result;
}

export interface SetDiff {
  readonly entered: PolicyPath[];
  readonly left: PolicyPath[];
  readonly updated: PolicyPath[];
}

export function diffSets(before: KnownSet, after: KnownSet): SetDiff {
  const entered: PolicyPath[] = [];
  const left: PolicyPath[] = [];
  const updated: PolicyPath[] = [];
  for (const [key, now] of after.paths) {
    const was = before.paths.get(key);
    if (!was) entered.push(now.path);
    else if (was.revision !== now.revision) updated.push(now.path);
  }
  for (const [key, was] of before.paths) if (!after.paths.has(key)) left.push(was.path);
  return { entered, left, updated };
}

export function isEmptyDiff(d: SetDiff): boolean {
  return d.entered.length === 0 && d.left.length === 0 && d.updated.length === 0;
}

import { effectivePaths } from "../../src/domain/permissions/effective-paths.js";
import type { PermissionsHolder } from "../../src/domain/permissions/state.js";
import type { PrismaClient } from "../../src/generated/prisma/client.js";

/** One effective_policies row without `since`/`since_position` (when a path began is history, not state). */
export interface EffectiveRow {
  readonly principalType: string;
  readonly principalId: string;
  readonly sourceKey: string;
  readonly viaGroupId: string;
  readonly kind: string;
  readonly policyArn: string | null;
  readonly policyName: string;
  readonly ownerType: string;
  readonly ownerId: string;
}

const key = (r: EffectiveRow) => `${r.principalId}|${r.sourceKey}|${r.viaGroupId}`;
const sorted = (rows: EffectiveRow[]) => rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** The incremental table as it stands. */
export async function incrementalEffective(prisma: PrismaClient): Promise<EffectiveRow[]> {
  const rows = await prisma.effectivePolicy.findMany();
  return sorted(
    rows.map((r) => ({
      principalType: r.principalType,
      principalId: r.principalId,
      sourceKey: r.sourceKey,
      viaGroupId: r.viaGroupId,
      kind: r.kind,
      policyArn: r.policyArn,
      policyName: r.policyName,
      ownerType: r.ownerType,
      ownerId: r.ownerId,
    })),
  );
}

/**
 * The model: what effective_policies must hold, recomputed from scratch from the base read
 * models by the one statement of the rules (src/domain/permissions/effective-paths.ts), so the
 * projection's incremental row operations are checked against it.
 */
export async function recomputeEffective(prisma: PrismaClient): Promise<EffectiveRow[]> {
  const [users, roles, memberships, attachments, inline] = await Promise.all([
    prisma.user.findMany({ select: { id: true, permissionsBoundaryArn: true } }),
    prisma.role.findMany({ select: { id: true, permissionsBoundaryArn: true } }),
    prisma.groupMembership.findMany(),
    prisma.policyAttachment.findMany(),
    prisma.inlinePolicy.findMany({ select: { entityType: true, entityId: true, policyName: true } }),
  ]);
  const held = (type: PermissionsHolder, id: string) => ({
    type,
    id,
    attachedArns: attachments.filter((x) => x.entityType === type && x.entityId === id).map((a) => a.policyArn),
    inlineNames: inline.filter((x) => x.entityType === type && x.entityId === id).map((i) => i.policyName),
  });
  const rows: EffectiveRow[] = [];
  const add = (principalType: PermissionsHolder, principalId: string, boundaryArn: string | null, groupIds: readonly string[]) => {
    for (const p of effectivePaths({ ...held(principalType, principalId), boundaryArn }, groupIds.map((g) => held("group", g)))) {
      const { kind, sourceKey, viaGroupId, policyArn, policyName, ownerType, ownerId } = p;
      rows.push({ principalType, principalId, sourceKey, viaGroupId, kind, policyArn, policyName, ownerType, ownerId });
    }
  };
  for (const u of users) add("user", u.id, u.permissionsBoundaryArn, memberships.filter((m) => m.userId === u.id).map((m) => m.groupId));
  for (const r of roles) add("role", r.id, r.permissionsBoundaryArn, []);
  return sorted(rows);
}

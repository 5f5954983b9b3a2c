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
 * models (IAM-REFERENCE "Evaluation" 2). A user holds its own attached and inline policies, and
 * through each group it is in that group's; a role its own; users and roles their boundary.
 */
export async function recomputeEffective(prisma: PrismaClient): Promise<EffectiveRow[]> {
  const [users, roles, memberships, attachments, inline, policies] = await Promise.all([
    prisma.user.findMany({ select: { id: true, permissionsBoundaryArn: true } }),
    prisma.role.findMany({ select: { id: true, permissionsBoundaryArn: true } }),
    prisma.groupMembership.findMany(),
    prisma.policyAttachment.findMany(),
    prisma.inlinePolicy.findMany({ select: { entityType: true, entityId: true, policyName: true } }),
    prisma.policy.findMany({ select: { arn: true, policyName: true } }),
  ]);
  const nameOf = new Map(policies.map((p) => [p.arn, p.policyName]));
  const rows: EffectiveRow[] = [];
  const direct = (principalType: "user" | "role", principalId: string) => {
    for (const a of attachments.filter((x) => x.entityType === principalType && x.entityId === principalId)) {
      rows.push({ principalType, principalId, sourceKey: `managed:${a.policyArn}`, viaGroupId: "", kind: "managed", policyArn: a.policyArn, policyName: nameOf.get(a.policyArn) ?? a.policyArn, ownerType: principalType, ownerId: principalId });
    }
    for (const i of inline.filter((x) => x.entityType === principalType && x.entityId === principalId)) {
      rows.push({ principalType, principalId, sourceKey: `inline:${principalType}:${principalId}:${i.policyName}`, viaGroupId: "", kind: "inline", policyArn: null, policyName: i.policyName, ownerType: principalType, ownerId: principalId });
    }
  };
  const boundary = (principalType: "user" | "role", principalId: string, arn: string | null) => {
    if (!arn) return;
    rows.push({ principalType, principalId, sourceKey: `boundary:${arn}`, viaGroupId: "", kind: "boundary", policyArn: arn, policyName: nameOf.get(arn) ?? arn, ownerType: principalType, ownerId: principalId });
  };
  for (const u of users) {
    direct("user", u.id);
    boundary("user", u.id, u.permissionsBoundaryArn);
    for (const m of memberships.filter((x) => x.userId === u.id)) {
      for (const a of attachments.filter((x) => x.entityType === "group" && x.entityId === m.groupId)) {
        rows.push({ principalType: "user", principalId: u.id, sourceKey: `managed:${a.policyArn}`, viaGroupId: m.groupId, kind: "managed", policyArn: a.policyArn, policyName: nameOf.get(a.policyArn) ?? a.policyArn, ownerType: "group", ownerId: m.groupId });
      }
      for (const i of inline.filter((x) => x.entityType === "group" && x.entityId === m.groupId)) {
        rows.push({ principalType: "user", principalId: u.id, sourceKey: `inline:group:${m.groupId}:${i.policyName}`, viaGroupId: m.groupId, kind: "inline", policyArn: null, policyName: i.policyName, ownerType: "group", ownerId: m.groupId });
      }
    }
  }
  for (const r of roles) {
    direct("role", r.id);
    boundary("role", r.id, r.permissionsBoundaryArn);
  }
  return sorted(rows);
}

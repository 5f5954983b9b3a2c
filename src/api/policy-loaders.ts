import DataLoader from "dataloader";
import type { EffectivePolicy, InlinePolicy, PrismaClient } from "../generated/prisma/client.js";

export type HolderType = "user" | "group" | "role";

/** A managed policy attached to a user, group or role (AWS's AttachedPolicy). */
export interface AttachedPolicy {
  readonly policyName: string;
  readonly policyArn: string;
}

/** An EffectivePolicy row with what the API shows alongside it, resolved in the same batch. */
export interface EffectivePolicyRow extends EffectivePolicy {
  /** Managed and boundary policies: the default version in effect now. */
  readonly versionId: string | null;
  readonly viaGroup: { readonly groupName: string; readonly arn: string; readonly groupId: string } | null;
}

export interface PolicyLoaders {
  /** Keyed by policy ARN: users, groups and roles it is attached to (AttachmentCount). */
  readonly attachmentCount: DataLoader<string, number>;
  /** Keyed by policy ARN: users and roles using it as their boundary (PermissionsBoundaryUsageCount). */
  readonly boundaryUsageCount: DataLoader<string, number>;
  /** Keyed by entity id (ids carry their kind's prefix, so they never collide across kinds). */
  readonly attachedPolicies: DataLoader<string, AttachedPolicy[]>;
  readonly inlinePolicies: DataLoader<string, InlinePolicy[]>;
  /** Keyed by principal (user or role) id. */
  readonly effectivePolicies: DataLoader<string, EffectivePolicyRow[]>;
}

/** The policy name is the ARN's last segment (names cannot hold `/`); no join needed. */
export const policyNameOfArn = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const byKey = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((k) => byKey.get(k) ?? []);
}

/**
 * Per-request loaders for policies and what holds them: a page of 100 policies (or users, or
 * roles) with their counts and attachments costs one statement per field, not one per row.
 */
export function createPolicyLoaders(prisma: PrismaClient): PolicyLoaders {
  return {
    attachmentCount: new DataLoader(async (arns) => {
      const rows = await prisma.policyAttachment.groupBy({ by: ["policyArn"], where: { policyArn: { in: [...arns] } }, _count: { _all: true } });
      const byArn = new Map(rows.map((r) => [r.policyArn, r._count._all]));
      return arns.map((arn) => byArn.get(arn) ?? 0);
    }),
    boundaryUsageCount: new DataLoader(async (arns) => {
      const rows = await prisma.$queryRawUnsafe<{ arn: string; n: number }[]>(
        `SELECT arn, count(*)::int AS n FROM (
           SELECT permissions_boundary_arn AS arn FROM users WHERE permissions_boundary_arn = ANY($1::text[])
           UNION ALL
           SELECT permissions_boundary_arn AS arn FROM roles WHERE permissions_boundary_arn = ANY($1::text[])
         ) b GROUP BY arn`,
        [...arns],
      );
      const byArn = new Map(rows.map((r) => [r.arn, Number(r.n)]));
      return arns.map((arn) => byArn.get(arn) ?? 0);
    }),
    attachedPolicies: new DataLoader(async (ids) => {
      const rows = await prisma.policyAttachment.findMany({
        where: { entityId: { in: [...ids] } },
        orderBy: [{ attachedAt: "asc" }, { policyArn: "asc" }],
      });
      return groupBy(ids, rows, (r) => r.entityId).map((list) => list.map((r) => ({ policyArn: r.policyArn, policyName: policyNameOfArn(r.policyArn) })));
    }),
    inlinePolicies: new DataLoader(async (ids) => {
      const rows = await prisma.inlinePolicy.findMany({ where: { entityId: { in: [...ids] } }, orderBy: { policyName: "asc" } });
      return groupBy(ids, rows, (r) => r.entityId);
    }),
    effectivePolicies: new DataLoader(async (ids) => {
      const rows = await prisma.effectivePolicy.findMany({
        where: { principalId: { in: [...ids] } },
        orderBy: [{ kind: "asc" }, { policyName: "asc" }, { viaGroupId: "asc" }],
      });
      const arns = [...new Set(rows.flatMap((r) => (r.policyArn ? [r.policyArn] : [])))];
      const groupIds = [...new Set(rows.map((r) => r.viaGroupId).filter((g) => g !== ""))];
      const [policies, groups] = await Promise.all([
        arns.length ? prisma.policy.findMany({ where: { arn: { in: arns } }, select: { arn: true, defaultVersionId: true } }) : [],
        groupIds.length ? prisma.group.findMany({ where: { id: { in: groupIds } }, select: { id: true, groupName: true, arn: true } }) : [],
      ]);
      const versionByArn = new Map(policies.map((p) => [p.arn, p.defaultVersionId]));
      const groupById = new Map(groups.map((g) => [g.id, { groupId: g.id, groupName: g.groupName, arn: g.arn }]));
      const resolved = rows.map(
        (r): EffectivePolicyRow => ({
          ...r,
          versionId: r.policyArn ? (versionByArn.get(r.policyArn) ?? null) : null,
          viaGroup: r.viaGroupId ? (groupById.get(r.viaGroupId) ?? null) : null,
        }),
      );
      return groupBy(ids, resolved, (r) => r.principalId);
    }),
  };
}

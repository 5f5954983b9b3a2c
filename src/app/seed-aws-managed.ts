import { createHash } from "node:crypto";
import { nameKey } from "../domain/shared/names.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { AWS_MANAGED_POLICIES } from "../policy/aws-managed-policies.js";

/**
 * AWS-managed policies are reference data shipped with the build, not events of this account:
 * they are written to the policies read model at start (idempotently) so they can be listed,
 * attached and used as boundaries. Their ids are derived from their names, so they are stable.
 */
export async function seedAwsManagedPolicies(prisma: PrismaClient, now = new Date(0)): Promise<void> {
  for (const p of AWS_MANAGED_POLICIES) {
    const id = awsManagedPolicyId(p.name);
    await prisma.$transaction([
      prisma.policy.upsert({
        where: { arn: p.arn },
        create: {
          id,
          accountId: "aws",
          policyName: p.name,
          policyNameKey: nameKey(p.name),
          path: p.path,
          arn: p.arn,
          description: p.description,
          defaultVersionId: p.versionId,
          isAwsManaged: true,
          createdAt: now,
          updatedAt: now,
          streamVersion: 0,
        },
        update: { description: p.description, defaultVersionId: p.versionId },
      }),
      prisma.policyVersion.deleteMany({ where: { policyId: id, versionId: { not: p.versionId } } }),
      prisma.policyVersion.upsert({
        where: { policyId_versionId: { policyId: id, versionId: p.versionId } },
        create: { policyId: id, versionId: p.versionId, document: p.document, isDefault: true, createdAt: now },
        update: { document: p.document, isDefault: true },
      }),
    ]);
  }
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function awsManagedPolicyId(name: string): string {
  const digest = createHash("sha256").update(`aws-managed:${name}`).digest();
  let id = "ANPA";
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

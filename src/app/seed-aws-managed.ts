import { awsManagedPolicyId } from "../catalogue/aws-managed-id.js";
import { importAwsCatalogue, type ImportReport } from "../catalogue/import-aws-managed.js";
import type { AwsCatalogueMode } from "../config/config.js";
import { nameKey } from "../domain/shared/names.js";
import { policyStreamId } from "../domain/shared/stream-ids.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { AWS_MANAGED_POLICIES } from "../policy/aws-managed-policies.js";

/**
 * Makes the AWS-managed policies of the configured catalogue available. `full`: every policy of
 * the catalogue artifact, as events in the log (src/catalogue/import-aws-managed.ts), once.
 * `builtin`: the five built-in ones, seeded into the read model only (see below).
 */
export async function provideAwsManagedPolicies(prisma: PrismaClient, mode: AwsCatalogueMode): Promise<ImportReport | undefined> {
  if (mode === "full") return importAwsCatalogue(prisma);
  await seedAwsManagedPolicies(prisma);
  return undefined;
}

/**
 * The builtin catalogue: AWS-managed policies as reference data shipped with the build, not events of this account:
 * they are written to the policies read model at start (idempotently) so they can be listed,
 * attached and used as boundaries. Their ids are derived from their names, so they are stable.
 */
export async function seedAwsManagedPolicies(prisma: PrismaClient, now = new Date(0)): Promise<void> {
  for (const p of AWS_MANAGED_POLICIES) {
    const id = awsManagedPolicyId(p.name);
    // A store that once ran the full catalogue has this policy's stream: its rows are the projection's.
    if ((await prisma.event.count({ where: { streamId: policyStreamId(id) } })) > 0) continue;
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

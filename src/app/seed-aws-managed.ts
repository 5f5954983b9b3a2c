import { awsManagedPolicyId } from "../catalogue/aws-managed-id.js";
import { importAwsCatalogue, type ImportReport } from "../catalogue/import-aws-managed.js";
import type { AwsCatalogueMode } from "../config/config.js";
import { nameKey } from "../domain/shared/names.js";
import { policyStreamId } from "../domain/shared/stream-ids.js";
import type { Logger } from "pino";
import type { PrismaClient } from "../generated/prisma/client.js";
import { AWS_MANAGED_POLICIES } from "../policy/aws-managed-policies.js";

export interface AwsCatalogueLoad {
  /** Settles when the configured catalogue is in the log (at once for builtin); undefined if stopped or failed. */
  readonly done: Promise<ImportReport | undefined>;
  /** Stops a background import between transactions and waits for it. */
  stop(): Promise<void>;
}

/**
 * Makes the AWS-managed policies of the configured catalogue available. `full`: every policy of
 * the catalogue artifact, as events in the log (src/catalogue/import-aws-managed.ts), once —
 * the five built-in ones (AdministratorAccess, ReadOnlyAccess, … that the walkthrough names)
 * before the server answers, the thousands of other versions in the background, since on a
 * store's first start they take tens of seconds. `builtin`: the five, seeded into the read model
 * only (see below).
 */
export async function provideAwsManagedPolicies(prisma: PrismaClient, mode: AwsCatalogueMode, logger: Logger): Promise<AwsCatalogueLoad> {
  if (mode === "builtin") {
    await seedAwsManagedPolicies(prisma);
    return { done: Promise.resolve(undefined), stop: async () => undefined };
  }
  await importAwsCatalogue(prisma, { only: new Set(AWS_MANAGED_POLICIES.map((p) => p.name)) });
  const controller = new AbortController();
  let logged = 0;
  const done = importAwsCatalogue(prisma, {
    signal: controller.signal,
    // Progress for a long first import: at its first transaction, then every 1,000 versions.
    onProgress: (appended) => {
      if (logged > 0 && appended - logged < 1000) return;
      logged = appended;
      logger.info({ appended }, "importing the AWS-managed policy catalogue in the background");
    },
  }).then(
    (report) => {
      if (report.appended > 0) logger.info(report, controller.signal.aborted ? "AWS-managed catalogue import paused (the server stopped); it resumes at the next start" : "AWS-managed policy catalogue imported");
      return controller.signal.aborted ? undefined : report;
    },
    (err: unknown) => {
      logger.error({ err }, "importing the AWS-managed policy catalogue failed; it is retried at the next start");
      return undefined;
    },
  );
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
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

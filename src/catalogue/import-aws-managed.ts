import type { IamEvent } from "../../events/catalogue.js";
import type { Tx } from "../db/transaction.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { policyStreamId } from "../domain/shared/stream-ids.js";
import { appendToStreams } from "../eventstore/append.js";
import type { EventMetadata, StreamAppend } from "../eventstore/stored-event.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { AWS_MANAGED_POLICIES } from "../policy/aws-managed-policies.js";
import { projectInline } from "../projections/inline-projector.js";
import { awsManagedPolicyId } from "./aws-managed-id.js";
import { awsManagedArn, defaultArtifactDir, readManifest, readVersions, type CatalogueVersion } from "./aws-managed-artifact.js";

// AWS's managed policies enter the log like any other history: each AWS version is a
// PolicyCreated (the policy's first version) or a PolicyVersionCreated + PolicyDefaultVersionSet
// (AWS's default is always its newest version), by actor `aws`, with AWS's date as effectiveAt.
// Imported once: a start whose log already holds every version of the artifact costs one count
// query; an upgraded package appends only the versions the log lacks.

export const awsActor = "aws";

export interface ImportOptions {
  readonly dir?: string;
  /** Only these policy names (tests keep their stores small this way); default every policy. */
  readonly only?: ReadonlySet<string>;
  readonly now?: Date;
  /** Versions per transaction. */
  readonly batchSize?: number;
  /** Stops between transactions (the server is closing); what was appended stays. */
  readonly signal?: AbortSignal;
  /** After each transaction: versions appended so far by this call. */
  readonly onProgress?: (appended: number) => void;
}

export interface ImportReport {
  readonly source: string;
  /** Versions of the (selected) catalogue. */
  readonly versions: number;
  /** Versions this call appended. */
  readonly appended: number;
}

interface StreamSeen {
  version: number;
  readonly versionIds: Set<string>;
  defaultId: string | undefined;
}

const versionNumber = (versionId: string) => Number(versionId.slice(1));

export async function importAwsCatalogue(prisma: PrismaClient, options: ImportOptions = {}): Promise<ImportReport> {
  const dir = options.dir ?? defaultArtifactDir;
  const manifest = readManifest(dir);
  const names = manifest.names.filter(([, name]) => !options.only || options.only.has(name));
  const streamIds = names.map(([, name]) => policyStreamId(awsManagedPolicyId(name)));
  const versions = options.only ? undefined : manifest.versions;
  // Warm start: one count over the (stream_id, stream_version) index, no document read.
  const inLog = await versionEventsIn(prisma, streamIds);
  if (versions !== undefined && inLog === versions) return { source: manifest.source, versions, appended: 0 };
  // A selection whose policies all exist is left to the full import (their newer versions included).
  if (options.only && (await policiesCreatedIn(prisma, streamIds)) === streamIds.length) return { source: manifest.source, versions: inLog, appended: 0 };

  for (let attempt = 1; ; attempt++) {
    try {
      return await appendMissing(prisma, dir, manifest.source, streamIds, options);
    } catch (err) {
      // Another instance imported the same versions meanwhile: look again at what the log holds.
      if (!(err instanceof DomainError && err.code === "ConcurrentModification") || attempt >= 3) throw err;
    }
  }
}

async function versionEventsIn(prisma: PrismaClient, streamIds: readonly string[]): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ n: unknown }[]>(
    `SELECT count(*) AS n FROM events WHERE stream_id = ANY($1::text[]) AND type IN ('PolicyCreated', 'PolicyVersionCreated')`,
    streamIds,
  );
  return Number(rows[0]?.n ?? 0);
}

async function policiesCreatedIn(prisma: PrismaClient, streamIds: readonly string[]): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ n: unknown }[]>(`SELECT count(*) AS n FROM events WHERE stream_id = ANY($1::text[]) AND type = 'PolicyCreated'`, streamIds);
  return Number(rows[0]?.n ?? 0);
}

async function appendMissing(prisma: PrismaClient, dir: string, source: string, streamIds: readonly string[], options: ImportOptions): Promise<ImportReport> {
  const seen = await streamsSeen(prisma, streamIds);
  const metadata: EventMetadata = { accountId: awsActor, actor: awsActor, requestId: `aws-catalogue:${source}`, correlationId: `aws-catalogue:${source}` };
  const batchSize = options.batchSize ?? 500;
  let batch: CatalogueVersion[] = [];
  let total = 0;
  let appended = 0;
  const flush = async () => {
    if (batch.length === 0 || options.signal?.aborted) return;
    const lines = batch;
    batch = [];
    await prisma.$transaction(
      async (tx) => {
        await takeWriteLock(tx);
        await dropSeededRows(tx, [...new Set(lines.filter((l) => !seenStream(seen, l)).map((l) => awsManagedPolicyId(l.name)))]);
        // Several versions of one policy in a batch: the first append states the stream's version, the rest continue it.
        const appends = lines.map((line) => appendFor(line, seen));
        const events = await appendToStreams(tx, appends, metadata, options.now ?? new Date());
        await projectInline(tx, events);
      },
      { maxWait: 60_000, timeout: 10 * 60_000 },
    );
    appended += lines.length;
    options.onProgress?.(appended);
  };
  const planned = new Map<string, StreamSeen>();
  for await (const line of readVersions(dir)) {
    if (options.only && !options.only.has(line.name)) continue;
    total++;
    const streamId = policyStreamId(awsManagedPolicyId(line.name));
    const s = seen.get(streamId) ?? planned.get(streamId);
    if (s?.versionIds.has(line.versionId)) continue;
    if (!s) planned.set(streamId, { version: 0, versionIds: new Set([line.versionId]), defaultId: line.versionId });
    else s.versionIds.add(line.versionId);
    batch.push(line);
    if (batch.length >= batchSize) await flush();
    if (options.signal?.aborted) break;
  }
  await flush();
  return { source, versions: total, appended };
}

function seenStream(seen: Map<string, StreamSeen>, line: CatalogueVersion): StreamSeen | undefined {
  return seen.get(policyStreamId(awsManagedPolicyId(line.name)));
}

/** The events one AWS version adds to its policy's stream, given (and updating) what the stream holds. */
function appendFor(line: CatalogueVersion, seen: Map<string, StreamSeen>): StreamAppend {
  const policyId = awsManagedPolicyId(line.name);
  const streamId = policyStreamId(policyId);
  const arn = awsManagedArn(line.path, line.name);
  const aws = { effectiveAt: line.effectiveAt, ...(line.estimated ? { effectiveAtEstimated: true } : {}) };
  const s = seen.get(streamId);
  if (!s) {
    const description = AWS_MANAGED_POLICIES.find((p) => p.name === line.name)?.description ?? "";
    const created: IamEvent = {
      type: "PolicyCreated",
      data: { policyId, policyName: line.name, path: line.path, arn, description, versionId: line.versionId, document: line.document, tags: [], awsManaged: true, ...aws },
    };
    seen.set(streamId, { version: 1, versionIds: new Set([line.versionId]), defaultId: line.versionId });
    return { streamId, expectedVersion: "noStream", events: [created] };
  }
  const expectedVersion = s.version;
  // AWS's default is its newest version; a version the package back-fills later is history only.
  const newest = s.defaultId === undefined || versionNumber(line.versionId) > versionNumber(s.defaultId);
  const events: IamEvent[] = [{ type: "PolicyVersionCreated", data: { policyId, arn, versionId: line.versionId, document: line.document, setAsDefault: newest, ...aws } }];
  if (newest) events.push({ type: "PolicyDefaultVersionSet", data: { policyId, arn, versionId: line.versionId, previousVersionId: s.defaultId ?? line.versionId, ...aws } });
  s.version += events.length;
  s.versionIds.add(line.versionId);
  if (newest) s.defaultId = line.versionId;
  return { streamId, expectedVersion, events };
}

/** What the log holds of each AWS stream: its version, its version ids, its default. */
async function streamsSeen(prisma: PrismaClient, streamIds: readonly string[]): Promise<Map<string, StreamSeen>> {
  const rows = await prisma.$queryRawUnsafe<{ stream_id: string; stream_version: number; type: string; version_id: string | null }[]>(
    `SELECT stream_id, stream_version, type, data->>'versionId' AS version_id
       FROM events WHERE stream_id = ANY($1::text[]) ORDER BY position`,
    streamIds,
  );
  const seen = new Map<string, StreamSeen>();
  for (const r of rows) {
    const s = seen.get(r.stream_id) ?? { version: 0, versionIds: new Set<string>(), defaultId: undefined };
    seen.set(r.stream_id, s);
    s.version = Math.max(s.version, Number(r.stream_version));
    if (r.type === "PolicyCreated") s.defaultId = r.version_id ?? undefined;
    if (r.type === "PolicyDefaultVersionSet") s.defaultId = r.version_id ?? undefined;
    if ((r.type === "PolicyCreated" || r.type === "PolicyVersionCreated") && r.version_id) s.versionIds.add(r.version_id);
  }
  return seen;
}

/**
 * Rows an older build seeded into the read model for the five built-in AWS policies (no events
 * behind them): replaced by the policy's stream, whose PolicyCreated re-inserts the row.
 */
async function dropSeededRows(tx: Tx, policyIds: readonly string[]): Promise<void> {
  if (policyIds.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM policy_versions WHERE policy_id = ANY($1::text[])`, policyIds);
  await tx.$executeRawUnsafe(`DELETE FROM policies WHERE id = ANY($1::text[]) AND is_aws_managed`, policyIds);
}

/**
 * What a create command carries when the entity comes from another IAM — an AWS account's
 * snapshot (src/snapshot): the id and create date AWS gave it, kept rather than made anew. The
 * pipeline takes the id as the command's new id (command-pipeline.ts); the decider copies the
 * date into the created event. Commands sent by the API never carry it (mutation-commands.ts).
 */
export interface Imported {
  /** AWS's unique id (AIDA…, AGPA…, AROA…, ANPA…). */
  readonly id: string;
  /** ISO 8601. */
  readonly createDate: string;
}

/** A policy version brought in with its AWS version id (v1, v7, …) and create date. */
export interface ImportedVersion {
  readonly versionId: string;
  readonly createDate: string;
}

export const createDateOf = (imported: { readonly createDate: string } | undefined): { createDate?: string } =>
  imported ? { createDate: imported.createDate } : {};

/** The number of a version id (`v7` → 7); undefined for anything else. */
export function versionNumber(versionId: string): number | undefined {
  const m = /^v([1-9]\d*)$/.exec(versionId);
  return m ? Number(m[1]) : undefined;
}

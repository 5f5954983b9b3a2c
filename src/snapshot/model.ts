import type { Tag } from "../domain/shared/tags.js";

// An account's IAM state in the terms GetAccountAuthorizationDetails uses, with documents as
// decoded text and relationships by AWS id. Both sides of an import are this shape: the file
// (parse-snapshot.ts) and iamgraph's state at a point (account-state.ts); diff.ts compares them.

export interface InlinePolicy {
  readonly policyName: string;
  readonly document: string;
}

interface Entity {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  /** ISO 8601. */
  readonly createDate: string;
  /** Attached managed policy ARNs, customer-managed or AWS-managed. */
  readonly attached: readonly string[];
  readonly inline: readonly InlinePolicy[];
}

export interface UserEntry extends Entity {
  /** Group ids. */
  readonly groups: readonly string[];
  readonly boundary?: string;
  readonly tags: readonly Tag[];
}

export type GroupEntry = Entity;

export interface RoleEntry extends Entity {
  readonly trustPolicy: string;
  readonly boundary?: string;
  readonly tags: readonly Tag[];
}

export interface PolicyVersionEntry {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: string;
}

/** A customer-managed policy (AWS-managed ones are reference data, not account state). */
export interface PolicyEntry {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: string;
  readonly description: string;
  readonly defaultVersionId: string;
  /** In version order. */
  readonly versions: readonly PolicyVersionEntry[];
}

export interface AccountState {
  readonly accountId: string;
  readonly users: readonly UserEntry[];
  readonly groups: readonly GroupEntry[];
  readonly roles: readonly RoleEntry[];
  readonly policies: readonly PolicyEntry[];
}

/** Two documents say the same when their JSON is the same (whitespace and encoding aside). */
export function sameDocument(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export const isAwsManagedArn = (arn: string): boolean => arn.startsWith("arn:aws:iam::aws:policy/");

import { deflateRawSync } from "node:zlib";
import { DomainError } from "../domain/shared/domain-error.js";
import { checkTags, tagKey, type Tag } from "../domain/shared/tags.js";

// AssumeRole's parameters as the STS API reference constrains them. Syntax is checked before
// anything is authorized or read, so a malformed request costs nothing and reveals nothing.

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds?: number | null;
  /** An inline session policy (JSON). */
  readonly policy?: string | null;
  /** Managed session policies, at most 10. */
  readonly policyArns?: readonly string[] | null;
  readonly tags?: readonly Tag[] | null;
  readonly transitiveTagKeys?: readonly string[] | null;
  readonly externalId?: string | null;
  readonly sourceIdentity?: string | null;
}

export const DEFAULT_DURATION_SECONDS = 3600;
export const MIN_DURATION_SECONDS = 900;
/** The longest any role allows (MaxSessionDuration 12 h); the role's own maximum is checked later. */
export const MAX_DURATION_SECONDS = 43_200;
/** Role chaining limits a session to one hour (id_roles_terms-and-concepts, "Role chaining"). */
export const CHAINED_MAX_DURATION_SECONDS = 3600;
export const MAX_SESSION_TAGS = 50;
export const MAX_POLICY_ARNS = 10;
/** "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters." */
export const MAX_SESSION_POLICY_CHARS = 2048;
/**
 * AWS packs session policies and tags into a compressed binary whose limit it does not publish,
 * reporting PackedPolicySize as a percentage of it. iamgraph's stand-in: the raw-deflated JSON
 * of the inline policy, the ARNs and the tags, against 2,048 bytes.
 */
export const PACKED_LIMIT_BYTES = 2048;

const validation = (message: string) => new DomainError("ValidationError", message);
const constraint = (value: string, member: string, rule: string) =>
  validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must ${rule}`);

const SESSION_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;

function checkLength(value: string, member: string, min: number, max: number): void {
  if (value.length < min) throw constraint(value, member, `have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(value, member, `have length less than or equal to ${max}`);
}

export function checkAssumeRoleInput(input: AssumeRoleInput): void {
  checkLength(input.roleArn, "roleArn", 20, 2048);
  checkLength(input.roleSessionName, "roleSessionName", 2, 64);
  if (!SESSION_NAME.test(input.roleSessionName)) throw constraint(input.roleSessionName, "roleSessionName", "satisfy regular expression pattern: [\\w+=,.@-]*");
  const d = input.durationSeconds;
  if (d != null) {
    if (!Number.isInteger(d)) throw constraint(String(d), "durationSeconds", "be an integer");
    if (d < MIN_DURATION_SECONDS) throw constraint(String(d), "durationSeconds", `have value greater than or equal to ${MIN_DURATION_SECONDS}`);
    if (d > MAX_DURATION_SECONDS) throw constraint(String(d), "durationSeconds", `have value less than or equal to ${MAX_DURATION_SECONDS}`);
  }
  if (input.externalId != null) {
    checkLength(input.externalId, "externalId", 2, 1224);
    if (!EXTERNAL_ID.test(input.externalId)) throw constraint(input.externalId, "externalId", "satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
  }
  if (input.sourceIdentity != null) {
    checkLength(input.sourceIdentity, "sourceIdentity", 2, 64);
    if (!SESSION_NAME.test(input.sourceIdentity)) throw constraint(input.sourceIdentity, "sourceIdentity", "satisfy regular expression pattern: [\\w+=,.@-]*");
    if (input.sourceIdentity.toLowerCase().startsWith("aws:")) throw validation("The source identity cannot start with 'aws:'.");
  }
  if (input.policy != null && input.policy.length > MAX_SESSION_POLICY_CHARS) {
    throw validation(`1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_POLICY_CHARS}`);
  }
  const arns = input.policyArns ?? [];
  if (arns.length > MAX_POLICY_ARNS) throw validation(`1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`);
  for (const arn of arns) checkLength(arn, "policyArns.member.arn", 20, 2048);
  const tags = input.tags ?? [];
  if (tags.length > MAX_SESSION_TAGS) throw validation(`1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_TAGS}`);
  try {
    checkTags(tags);
  } catch (err) {
    throw err instanceof DomainError ? validation(err.message) : err;
  }
  const keys = new Set(tags.map((t) => tagKey(t.key)));
  for (const k of input.transitiveTagKeys ?? []) {
    if (!keys.has(tagKey(k))) throw validation(`The transitive tag key ${k} is not among the session tags of the request.`);
  }
}

/** PackedPolicySize as a percentage; over 100 the request fails with PackedPolicyTooLarge. */
export function packedPolicyPercent(policy: string | null | undefined, policyArns: readonly string[], tags: readonly Tag[]): number {
  const packed = deflateRawSync(Buffer.from(JSON.stringify([policy ?? "", policyArns, tags.map((t) => [t.key, t.value])]), "utf8"));
  return Math.ceil((packed.length * 100) / PACKED_LIMIT_BYTES);
}

export function checkPacked(percent: number): void {
  if (percent > 100) {
    throw new DomainError("PackedPolicyTooLarge", `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  }
}

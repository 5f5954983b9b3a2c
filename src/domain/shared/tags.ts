import { DomainError, invalidInput } from "./domain-error.js";
import { checkQuota, type QuotaAllowance, type QuotaExceeded } from "./quotas.js";

export interface Tag {
  readonly key: string;
  readonly value: string;
}

// AWS tag rules for IAM: key 1–128, value 0–256, letters/digits/space and `_.:/=+-@`;
// keys starting with `aws:` are reserved; at most 50 tags per resource.
export const maxTagsPerEntity = 50;
const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function checkTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    if (tag.key.length < 1 || tag.key.length > 128) {
      throw invalidInput(`1 validation error detected: Value '${tag.key}' at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must have length between 1 and 128`);
    }
    if (tag.value.length > 256) {
      throw invalidInput(`1 validation error detected: Value at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`);
    }
    // Name the member that is wrong: AWS reports the key and the value separately.
    if (!tagCharacters.test(tag.key)) {
      throw invalidInput(`1 validation error detected: Value at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
    }
    if (!tagCharacters.test(tag.value)) {
      throw invalidInput(`1 validation error detected: Value at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
    }
    if (tagKey(tag.key).startsWith("aws:")) {
      throw invalidInput(`Tag keys starting with 'aws:' are reserved for AWS use: ${tag.key}`);
    }
    const k = tagKey(tag.key);
    if (seen.has(k)) throw invalidInput(`Duplicate tag key: ${tag.key}. Tag keys are case insensitive.`);
    seen.add(k);
  }
}

/** The case-insensitive key under which a tag is unique on its entity (AWS: tag keys ignore case). */
export function tagKey(key: string): string {
  return key.toLowerCase();
}

export function checkTagKeys(keys: readonly string[]): void {
  for (const [i, key] of keys.entries()) {
    if (key.length < 1 || key.length > 128) {
      throw invalidInput(`1 validation error detected: Value '${key}' at 'tagKeys.${i + 1}' failed to satisfy constraint: Member must have length between 1 and 128`);
    }
  }
}

/** Merges new tags over old ones, keys compared ignoring case (the latest spelling wins). */
export function applyTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((t) => [tagKey(t.key), t]));
  for (const t of added) byKey.set(tagKey(t.key), t);
  return [...byKey.values()];
}

/** applyTags, refusing a result past the 50-tag quota (named as AWS names it, e.g. TagsPerUser). */
export function mergeTags(current: readonly Tag[], added: readonly Tag[], quotaName: string): Tag[] {
  const merged = applyTags(current, added);
  if (merged.length > maxTagsPerEntity) throw new DomainError("LimitExceeded", tagQuotaRefusal(quotaName));
  return merged;
}

/** The tag quota of a user's or role's change, which an import may go past (quotas.ts). */
export function checkTagQuota(allowance: QuotaAllowance, current: readonly Tag[], added: readonly Tag[], quotaName: "TagsPerUser" | "TagsPerRole"): QuotaExceeded[] {
  return checkQuota(allowance, quotaName, maxTagsPerEntity, applyTags(current, added).length, tagQuotaRefusal(quotaName));
}

const tagQuotaRefusal = (quotaName: string) => `Cannot exceed quota for ${quotaName}: ${maxTagsPerEntity}`;

export function removeTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map(tagKey));
  return current.filter((t) => !drop.has(tagKey(t.key)));
}

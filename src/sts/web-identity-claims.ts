import type { JWTPayload } from "jose";
import { DomainError } from "../domain/shared/domain-error.js";
import type { Tag } from "../domain/shared/tags.js";

// What a web identity token may ask for besides the role (id_session-tags, "Passing session tags
// using AssumeRoleWithWebIdentity"; id_credentials_temp_control-access_monitor): session tags in
// the `https://aws.amazon.com/tags` claim —
//   { "principal_tags": { "<key>": ["<value>"] , … }, "transitive_tag_keys": ["<key>", …] }
// — each tag's value a one-element array — and a source identity in
// `https://aws.amazon.com/source_identity`. The identity provider asserts them; the role's trust
// policy must allow sts:TagSession (sts:SetSourceIdentity) for them, as for AssumeRole's.

export const TAGS_CLAIM = "https://aws.amazon.com/tags";
export const SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity";

export interface ClaimedSession {
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string;
}

const malformed = (what: string) => new DomainError("InvalidIdentityToken", `The ${what} in the web identity token is malformed.`);

export function claimedSession(claims: JWTPayload): ClaimedSession {
  const out: { tags: Tag[]; transitiveTagKeys: string[]; sourceIdentity?: string } = { tags: [], transitiveTagKeys: [] };
  const claim = claims[TAGS_CLAIM];
  if (claim !== undefined) {
    if (!isRecord(claim)) throw malformed(`${TAGS_CLAIM} claim`);
    const principalTags = claim["principal_tags"] ?? {};
    if (!isRecord(principalTags)) throw malformed("principal_tags");
    for (const [key, value] of Object.entries(principalTags)) {
      // AWS: "the value of each tag must be an array with a single string".
      const single = Array.isArray(value) && value.length === 1 ? value[0] : typeof value === "string" ? value : undefined;
      if (typeof single !== "string") throw malformed(`principal_tags value of ${key}`);
      out.tags.push({ key, value: single });
    }
    const transitive = claim["transitive_tag_keys"] ?? [];
    if (!Array.isArray(transitive) || !transitive.every((k): k is string => typeof k === "string")) throw malformed("transitive_tag_keys");
    out.transitiveTagKeys.push(...transitive);
  }
  const source = claims[SOURCE_IDENTITY_CLAIM];
  if (source !== undefined) {
    if (typeof source !== "string") throw malformed(`${SOURCE_IDENTITY_CLAIM} claim`);
    out.sourceIdentity = source;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

import type { Tag } from "../domain/shared/tags.js";

/** Writes each tag under its case-insensitive key; `write` is the model-specific upsert. */
export async function upsertTags(tags: readonly Tag[], write: (keyKey: string, tag: Tag) => Promise<unknown>): Promise<void> {
  for (const tag of tags) await write(tag.key.toLowerCase(), { key: tag.key, value: tag.value });
}

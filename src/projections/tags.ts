import { tagKey, type Tag } from "../domain/shared/tags.js";
import type { RowOp, Row } from "./projection.js";
import type { TableName } from "./tables.js";

/** Each tag under its case-insensitive key, replacing the value (and spelling) held before. */
export function upsertTags(table: TableName, owner: Row, tags: readonly Tag[]): RowOp[] {
  return tags.map((tag) => ({ op: "upsert", table, row: { ...owner, key_key: tagKey(tag.key), key: tag.key, value: tag.value } }));
}

export function deleteTags(table: TableName, owner: Record<string, string>, keys: readonly string[]): RowOp[] {
  return keys.map((k) => ({ op: "delete", table, where: { ...owner, key_key: tagKey(k) } }));
}

import type { Projection, RowOp } from "./projection.js";

/**
 * access_keys: the keys each user holds and their status. Secrets are not here and not in the
 * events; their hashes live in access_key_credentials (src/auth/credential-store.ts).
 */
export const accessKeysProjection: Projection = {
  name: "access_keys",
  tables: ["access_keys"],
  handles: new Set(["AccessKeyCreated", "AccessKeyStatusChanged", "AccessKeyDeleted"]),
  apply(e): RowOp[] {
    // The events live in the user's stream; the user row's version follows it like for tags.
    const touch = (id: string): RowOp => ({ op: "update", table: "users", where: { id }, set: { stream_version: e.streamVersion } });
    switch (e.type) {
      case "AccessKeyCreated": {
        const d = e.data;
        const row = { access_key_id: d.accessKeyId, account_id: e.metadata.accountId, user_id: d.userId, status: d.status, created_at: e.occurredAt.toISOString() };
        return [{ op: "insert", table: "access_keys", row }, touch(d.userId)];
      }
      case "AccessKeyStatusChanged":
        return [{ op: "update", table: "access_keys", where: { access_key_id: e.data.accessKeyId }, set: { status: e.data.status } }, touch(e.data.userId)];
      case "AccessKeyDeleted":
        return [{ op: "delete", table: "access_keys", where: { access_key_id: e.data.accessKeyId } }, touch(e.data.userId)];
      default:
        return [];
    }
  },
};

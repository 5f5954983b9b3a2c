import { nameKey } from "../domain/shared/names.js";
import type { Projection, RowOp } from "./projection.js";
import { deleteTags, upsertTags } from "./tags.js";

/** users, user_tags and group_memberships (membership events live in the user's stream). */
export const usersProjection: Projection = {
  name: "users",
  tables: ["users", "user_tags", "group_memberships"],
  handles: new Set(["UserCreated", "UserUpdated", "UserDeleted", "UserTagged", "UserUntagged", "UserAddedToGroup", "UserRemovedFromGroup"]),
  apply(e): RowOp[] {
    // Every event of the user's stream moves the row's version (optimistic reads compare it).
    const touch = (id: string): RowOp => ({ op: "update", table: "users", where: { id }, set: { stream_version: e.streamVersion } });
    switch (e.type) {
      case "UserCreated": {
        const d = e.data;
        const row = {
          id: d.userId,
          account_id: e.metadata.accountId,
          user_name: d.userName,
          user_name_key: nameKey(d.userName),
          path: d.path,
          arn: d.arn,
          created_at: e.data.createDate ?? e.occurredAt.toISOString(),
          stream_version: e.streamVersion,
          permissions_boundary_arn: null,
        };
        return [{ op: "insert", table: "users", row }, ...upsertTags("user_tags", { user_id: d.userId }, d.tags)];
      }
      case "UserUpdated": {
        const d = e.data;
        const set = { user_name: d.newUserName, user_name_key: nameKey(d.newUserName), path: d.newPath, arn: d.newArn, stream_version: e.streamVersion };
        return [{ op: "update", table: "users", where: { id: d.userId }, set }];
      }
      case "UserDeleted": {
        const user_id = e.data.userId;
        return [
          { op: "delete", table: "user_tags", where: { user_id } },
          { op: "delete", table: "group_memberships", where: { user_id } },
          { op: "delete", table: "access_keys", where: { user_id } }, // the key rows go with their user (a foreign key cascades in SQL)
          { op: "delete", table: "users", where: { id: user_id } },
        ];
      }
      case "UserTagged":
        return [...upsertTags("user_tags", { user_id: e.data.userId }, e.data.tags), touch(e.data.userId)];
      case "UserUntagged":
        return [...deleteTags("user_tags", { user_id: e.data.userId }, e.data.tagKeys), touch(e.data.userId)];
      case "UserAddedToGroup": {
        const { userId, groupId } = e.data;
        return [{ op: "insert", table: "group_memberships", row: { user_id: userId, group_id: groupId, added_at: e.occurredAt.toISOString() } }, touch(userId)];
      }
      case "UserRemovedFromGroup":
        return [{ op: "delete", table: "group_memberships", where: { user_id: e.data.userId, group_id: e.data.groupId } }, touch(e.data.userId)];
      default:
        return [];
    }
  },
};

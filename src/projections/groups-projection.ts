import { nameKey } from "../domain/shared/names.js";
import type { Projection, RowOp } from "./projection.js";

export const groupsProjection: Projection = {
  name: "groups",
  tables: ["groups"],
  handles: new Set(["GroupCreated", "GroupUpdated", "GroupDeleted"]),
  apply(e): RowOp[] {
    switch (e.type) {
      case "GroupCreated": {
        const d = e.data;
        const row = {
          id: d.groupId,
          account_id: e.metadata.accountId,
          group_name: d.groupName,
          group_name_key: nameKey(d.groupName),
          path: d.path,
          arn: d.arn,
          created_at: e.data.createDate ?? e.occurredAt.toISOString(),
          stream_version: e.streamVersion,
        };
        return [{ op: "insert", table: "groups", row }];
      }
      case "GroupUpdated": {
        const d = e.data;
        const set = { group_name: d.newGroupName, group_name_key: nameKey(d.newGroupName), path: d.newPath, arn: d.newArn, stream_version: e.streamVersion };
        return [{ op: "update", table: "groups", where: { id: d.groupId }, set }];
      }
      case "GroupDeleted":
        return [
          { op: "delete", table: "group_memberships", where: { group_id: e.data.groupId } },
          { op: "delete", table: "groups", where: { id: e.data.groupId } },
        ];
      default:
        return [];
    }
  },
};

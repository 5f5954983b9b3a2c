import { nameKey } from "../domain/shared/names.js";
import type { Projection } from "./projection.js";

export const groupsProjection: Projection = {
  name: "groups",
  handles: new Set(["GroupCreated", "GroupUpdated", "GroupDeleted"]),
  async apply(tx, event) {
    switch (event.type) {
      case "GroupCreated": {
        const d = event.data;
        await tx.group.upsert({
          where: { id: d.groupId },
          create: {
            id: d.groupId,
            accountId: event.metadata.accountId,
            groupName: d.groupName,
            groupNameKey: nameKey(d.groupName),
            path: d.path,
            arn: d.arn,
            createdAt: event.occurredAt,
            streamVersion: event.streamVersion,
          },
          update: {},
        });
        return;
      }
      case "GroupUpdated": {
        const d = event.data;
        await tx.group.updateMany({
          where: { id: d.groupId },
          data: { groupName: d.newGroupName, groupNameKey: nameKey(d.newGroupName), path: d.newPath, arn: d.newArn, streamVersion: event.streamVersion },
        });
        return;
      }
      case "GroupDeleted":
        await tx.group.deleteMany({ where: { id: event.data.groupId } });
        return;
      default:
        return;
    }
  },
};

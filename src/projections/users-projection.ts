import { nameKey } from "../domain/shared/names.js";
import type { Tag } from "../domain/shared/tags.js";
import type { Projection, Tx } from "./projection.js";
import { upsertTags } from "./tags.js";

/** users, user_tags and group_memberships (membership events live in the user's stream). */
export const usersProjection: Projection = {
  name: "users",
  handles: new Set(["UserCreated", "UserUpdated", "UserDeleted", "UserTagged", "UserUntagged", "UserAddedToGroup", "UserRemovedFromGroup"]),
  async apply(tx, event) {
    switch (event.type) {
      case "UserCreated": {
        const d = event.data;
        await tx.user.upsert({
          where: { id: d.userId },
          create: {
            id: d.userId,
            accountId: event.metadata.accountId,
            userName: d.userName,
            userNameKey: nameKey(d.userName),
            path: d.path,
            arn: d.arn,
            createdAt: event.occurredAt,
            streamVersion: event.streamVersion,
          },
          update: {},
        });
        await writeUserTags(tx, d.userId, d.tags);
        return;
      }
      case "UserUpdated": {
        const d = event.data;
        await tx.user.updateMany({
          where: { id: d.userId },
          data: { userName: d.newUserName, userNameKey: nameKey(d.newUserName), path: d.newPath, arn: d.newArn, streamVersion: event.streamVersion },
        });
        return;
      }
      case "UserDeleted":
        await tx.user.deleteMany({ where: { id: event.data.userId } }); // tags and memberships cascade
        return;
      case "UserTagged":
        await writeUserTags(tx, event.data.userId, event.data.tags);
        await touch(tx, event.data.userId, event.streamVersion);
        return;
      case "UserUntagged":
        await tx.userTag.deleteMany({ where: { userId: event.data.userId, keyKey: { in: event.data.tagKeys.map((k) => k.toLowerCase()) } } });
        await touch(tx, event.data.userId, event.streamVersion);
        return;
      case "UserAddedToGroup":
        await tx.groupMembership.upsert({
          where: { userId_groupId: { userId: event.data.userId, groupId: event.data.groupId } },
          create: { userId: event.data.userId, groupId: event.data.groupId, addedAt: event.occurredAt },
          update: {},
        });
        await touch(tx, event.data.userId, event.streamVersion);
        return;
      case "UserRemovedFromGroup":
        await tx.groupMembership.deleteMany({ where: { userId: event.data.userId, groupId: event.data.groupId } });
        await touch(tx, event.data.userId, event.streamVersion);
        return;
      default:
        return;
    }
  },
};

async function touch(tx: Tx, userId: string, streamVersion: number) {
  await tx.user.updateMany({ where: { id: userId }, data: { streamVersion } });
}

function writeUserTags(tx: Tx, userId: string, tags: readonly Tag[]) {
  return upsertTags(tags, (keyKey, tag) =>
    tx.userTag.upsert({ where: { userId_keyKey: { userId, keyKey } }, create: { userId, keyKey, ...tag }, update: tag }),
  );
}

import type { Projection, Tx } from "./projection.js";

/**
 * access_keys: the keys each user holds and their status. Secrets are not here and not in the
 * events; their hashes live in access_key_credentials (src/auth/credential-store.ts).
 */
export const accessKeysProjection: Projection = {
  name: "access_keys",
  handles: new Set(["AccessKeyCreated", "AccessKeyStatusChanged", "AccessKeyDeleted"]),
  async apply(tx, event) {
    switch (event.type) {
      case "AccessKeyCreated": {
        const d = event.data;
        await tx.accessKey.upsert({
          where: { accessKeyId: d.accessKeyId },
          create: { accessKeyId: d.accessKeyId, accountId: event.metadata.accountId, userId: d.userId, status: d.status, createdAt: event.occurredAt },
          update: {},
        });
        await touchUser(tx, d.userId, event.streamVersion);
        return;
      }
      case "AccessKeyStatusChanged":
        await tx.accessKey.updateMany({ where: { accessKeyId: event.data.accessKeyId }, data: { status: event.data.status } });
        await touchUser(tx, event.data.userId, event.streamVersion);
        return;
      case "AccessKeyDeleted":
        await tx.accessKey.deleteMany({ where: { accessKeyId: event.data.accessKeyId } });
        await touchUser(tx, event.data.userId, event.streamVersion);
        return;
      default:
        return;
    }
  },
};

// The events live in the user's stream; the user row's version follows it like for tags.
async function touchUser(tx: Tx, userId: string, streamVersion: number): Promise<void> {
  await tx.user.updateMany({ where: { id: userId }, data: { streamVersion } });
}

import type { Message } from "kafkajs";
import type { PermissionsChange } from "../messages.js";
import type { RelaySource } from "./topic-relay.js";

// The contract of the permission-changes topic (README "Kafka mode"): key = principal ARN, so
// one principal's changes stay in order on one partition; value = the PermissionsChange that
// permissionsChanged delivers (src/messaging/messages.ts) as JSON, occurredAt as ISO 8601;
// headers: format, type, position, account.

export const permissionChangeFormat = "iamgraph-permission-change/1";

export function permissionChangeMessage(change: PermissionsChange, accountId: string): Message {
  return {
    key: change.principalArn,
    value: JSON.stringify(change),
    headers: { format: permissionChangeFormat, type: "PermissionsChanged", position: String(change.position), account: accountId },
  };
}

/**
 * The topic's source: the permission_changes read model, whole positions at a time (several
 * principals can change at one position; the checkpoint is a position, so a batch never ends
 * inside one).
 */
export function permissionChangesSource(topic: string): RelaySource {
  return {
    name: `relay:${topic}`,
    topic,
    async read(db, after, limit) {
      const rows = await db.$queryRawUnsafe<{ position: unknown; change: unknown }[]>(
        `SELECT position, change FROM permission_changes
          WHERE position > $1 AND position <= (SELECT max(position) FROM (SELECT DISTINCT position FROM permission_changes WHERE position > $1 ORDER BY position LIMIT $2) AS w)
          ORDER BY position, principal_arn`,
        after,
        limit,
      );
      return rows.map((r) => {
        const change = (typeof r.change === "string" ? JSON.parse(r.change) : r.change) as PermissionsChange & { cause: { actor: string } };
        // The account is the principal's: arn:aws:iam::<account>:…
        const accountId = change.principalArn.split(":")[4] ?? "";
        return { position: Number(r.position), message: permissionChangeMessage(change, accountId) };
      });
    },
  };
}

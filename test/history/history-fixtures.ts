import type { IamEvent } from "../../events/catalogue.js";
import { groupStreamId, policyStreamId, userStreamId } from "../../src/domain/shared/stream-ids.js";
import type { StoredEvent } from "../../src/eventstore/stored-event.js";

// A tiny log builder for the pure history tests: events get positions in the order given and
// stream versions per stream, as the store would assign them.

export const account = "123456789012";
export const aliceId = "AIDAALICE000000000000";
export const devsId = "AGPADEVS0000000000000";
export const s3Id = "ANPAS3READ00000000000";
export const aliceArn = `arn:aws:iam::${account}:user/alice`;
export const devsArn = `arn:aws:iam::${account}:group/devs`;
export const s3Arn = `arn:aws:iam::${account}:policy/S3Read`;

export const doc = (actions: string[], effect: "Allow" | "Deny" = "Allow") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: actions, Resource: "*" }] });

export function log(...entries: [streamId: string, event: IamEvent, actor?: string][]): StoredEvent[] {
  const versions = new Map<string, number>();
  return entries.map(([streamId, event, actor = "admin"], i) => {
    const streamVersion = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, streamVersion);
    return {
      ...event,
      position: i + 1,
      streamId,
      streamVersion,
      schemaVersion: 1,
      metadata: { accountId: account, actor, requestId: `r${i + 1}`, correlationId: `r${i + 1}` },
      occurredAt: new Date(Date.UTC(2026, 2, 1 + i)),
    } as StoredEvent;
  });
}

export const alice = userStreamId(aliceId);
export const devs = groupStreamId(devsId);
export const s3 = policyStreamId(s3Id);

export const ev = {
  userCreated: (): IamEvent => ({ type: "UserCreated", data: { userId: aliceId, userName: "alice", path: "/", arn: aliceArn, tags: [] } }),
  groupCreated: (): IamEvent => ({ type: "GroupCreated", data: { groupId: devsId, groupName: "devs", path: "/", arn: devsArn } }),
  policyCreated: (document: string): IamEvent => ({
    type: "PolicyCreated",
    data: { policyId: s3Id, policyName: "S3Read", path: "/", arn: s3Arn, description: "", versionId: "v1", document, tags: [] },
  }),
  versionCreated: (versionId: string, document: string): IamEvent => ({ type: "PolicyVersionCreated", data: { policyId: s3Id, arn: s3Arn, versionId, document, setAsDefault: true } }),
  defaultSet: (versionId: string, previousVersionId: string): IamEvent => ({ type: "PolicyDefaultVersionSet", data: { policyId: s3Id, arn: s3Arn, versionId, previousVersionId } }),
  attach: (entityType: "user" | "group", policyArn = s3Arn): IamEvent => ({
    type: "ManagedPolicyAttached",
    data: entityType === "user" ? { entityType, entityId: aliceId, entityName: "alice", policyArn, policyName: "S3Read" } : { entityType, entityId: devsId, entityName: "devs", policyArn, policyName: "S3Read" },
  }),
  detach: (entityType: "user" | "group", policyArn = s3Arn): IamEvent => ({
    type: "ManagedPolicyDetached",
    data: entityType === "user" ? { entityType, entityId: aliceId, entityName: "alice", policyArn, policyName: "S3Read" } : { entityType, entityId: devsId, entityName: "devs", policyArn, policyName: "S3Read" },
  }),
  joined: (): IamEvent => ({ type: "UserAddedToGroup", data: { userId: aliceId, userName: "alice", groupId: devsId, groupName: "devs" } }),
  left: (): IamEvent => ({ type: "UserRemovedFromGroup", data: { userId: aliceId, userName: "alice", groupId: devsId, groupName: "devs" } }),
  inline: (policyName: string, document: string): IamEvent => ({ type: "InlinePolicyPut", data: { entityType: "user", entityId: aliceId, entityName: "alice", policyName, document } }),
  boundary: (policyArn: string): IamEvent => ({ type: "PermissionsBoundaryPut", data: { entityType: "user", entityId: aliceId, entityName: "alice", policyArn } }),
};

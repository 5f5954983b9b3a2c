import { permissionsEventTypes } from "../domain/permissions/state.js";
import type { Projection } from "./projection.js";

/** Attachments, inline policies and boundaries, as they stand now. */
export const permissionsProjection: Projection = {
  name: "permissions",
  handles: new Set([
    ...permissionsEventTypes,
    "UserDeleted",
    "GroupDeleted",
    "RoleDeleted",
  ]),
  async apply(tx, event) {
    switch (event.type) {
      case "ManagedPolicyAttached": {
        const { entityType, entityId, policyArn } = event.data;
        await tx.policyAttachment.upsert({
          where: { entityType_entityId_policyArn: { entityType, entityId, policyArn } },
          create: { entityType, entityId, policyArn, attachedAt: event.occurredAt },
          update: {},
        });
        return;
      }
      case "ManagedPolicyDetached": {
        const { entityType, entityId, policyArn } = event.data;
        await tx.policyAttachment.deleteMany({ where: { entityType, entityId, policyArn } });
        return;
      }
      case "InlinePolicyPut": {
        const { entityType, entityId, policyName, document } = event.data;
        await tx.inlinePolicy.upsert({
          where: { entityType_entityId_policyName: { entityType, entityId, policyName } },
          create: { entityType, entityId, policyName, document, updatedAt: event.occurredAt },
          update: { document, updatedAt: event.occurredAt },
        });
        return;
      }
      case "InlinePolicyDeleted": {
        const { entityType, entityId, policyName } = event.data;
        await tx.inlinePolicy.deleteMany({ where: { entityType, entityId, policyName } });
        return;
      }
      case "PermissionsBoundaryPut":
      case "PermissionsBoundaryDeleted": {
        const { entityType, entityId, policyArn } = event.data;
        const permissionsBoundaryArn = event.type === "PermissionsBoundaryPut" ? policyArn : null;
        if (entityType === "user") await tx.user.updateMany({ where: { id: entityId }, data: { permissionsBoundaryArn } });
        else await tx.role.updateMany({ where: { id: entityId }, data: { permissionsBoundaryArn } });
        return;
      }
      case "UserDeleted":
      case "GroupDeleted":
      case "RoleDeleted": {
        // Deciders refuse to delete holders of policies; this only keeps the model clean on replay.
        const [entityType, entityId] =
          event.type === "UserDeleted" ? ["user", event.data.userId] : event.type === "GroupDeleted" ? ["group", event.data.groupId] : ["role", event.data.roleId];
        await tx.policyAttachment.deleteMany({ where: { entityType, entityId } });
        await tx.inlinePolicy.deleteMany({ where: { entityType, entityId } });
        return;
      }
      default:
        return;
    }
  },
};

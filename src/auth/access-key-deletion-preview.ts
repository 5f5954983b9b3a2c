import type { CommandPipeline, RequestContext } from "../app/command-pipeline.js";
import { allowedNamedActions, previewChange, type ChangePreview } from "../app/preview-change.js";
import type { Tx } from "../db/transaction.js";
import type { AccessKeyCommand } from "../domain/access-keys/decide.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { CredentialStore } from "./credential-store.js";

/** What stops working when an access key is deleted. */
export interface AccessKeyImpact {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly userArn: string;
  /** The key's status now: an Inactive key is refused already, so nothing signed with it stops. */
  readonly status: "Active" | "Inactive";
  readonly lastUsedDate: Date | null;
  /** True when requests signed with the key work now and would be refused (InvalidClientTokenId). */
  readonly signedRequestsStop: boolean;
  /** What those requests can do now: the actions the user's policies name and allow (on "*"). */
  readonly allowedActions: readonly string[];
  /** The user's other Active keys, which keep working. */
  readonly otherActiveKeys: readonly string[];
}

/**
 * A dry-run DeleteAccessKey. The key is a credential, not a permission: its user's decisions do
 * not change (the preview's flips are honestly empty), but every request signed with the key
 * stops authenticating. So beside the rehearsal (same authorization and refusals, nothing
 * appended) this says what those requests could do, when the key was last used, and which of the
 * user's keys keep working. Sessions obtained with the key do not depend on it and run to expiry.
 */
export async function previewAccessKeyDeletion(
  commands: CommandPipeline,
  prisma: PrismaClient,
  credentials: CredentialStore,
  command: Extract<AccessKeyCommand, { type: "DeleteAccessKey" }>,
  request: RequestContext,
): Promise<{ preview: ChangePreview; impact: AccessKeyImpact }> {
  // First, so a refusal (AccessDenied, NoSuchEntity) is the real call's, before anything is read.
  const preview = await previewChange(commands, command, request, undefined);
  const key = await prisma.accessKey.findUniqueOrThrow({
    where: { accessKeyId: command.accessKeyId },
    select: { status: true, user: { select: { userName: true, arn: true, accessKeys: { select: { accessKeyId: true, status: true } } } } },
  });
  const active = key.status === "Active";
  return {
    preview,
    impact: {
      accessKeyId: command.accessKeyId,
      userName: key.user.userName,
      userArn: key.user.arn,
      status: active ? "Active" : "Inactive",
      lastUsedDate: await credentials.lastUsed(command.accessKeyId),
      signedRequestsStop: active,
      allowedActions: active ? await allowedNamedActions(prisma as unknown as Tx, key.user.arn) : [],
      otherActiveKeys: key.user.accessKeys.filter((k) => k.status === "Active" && k.accessKeyId !== command.accessKeyId).map((k) => k.accessKeyId),
    },
  };
}

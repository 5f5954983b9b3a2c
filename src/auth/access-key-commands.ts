import type { CommandPipeline, CommandResult, RequestContext } from "../app/command-pipeline.js";
import type { AccessKeyCommand } from "../domain/access-keys/decide.js";
import { newAccessKeyId, newSecretAccessKey } from "./access-key-material.js";
import { deleteSecretHash, storeSecretHash, type CredentialStore } from "./credential-store.js";
import { hashSecret } from "./secret-hash.js";

/**
 * CreateAccessKey: the secret is generated, hashed (Basic) and sealed under the master key
 * (SigV4) here, before the command enters the pipeline (scrypt is slow; the write lock must not
 * wait for it), and both are stored in the command's own transaction beside — never inside —
 * its events. The secret is returned once to the caller and kept in clear nowhere.
 */
export async function createAccessKey(
  commands: CommandPipeline,
  command: Omit<Extract<AccessKeyCommand, { type: "CreateAccessKey" }>, "accessKeyId">,
  request: RequestContext,
  credentials?: CredentialStore,
): Promise<{ readonly result: CommandResult; readonly accessKeyId: string; readonly secretAccessKey: string }> {
  const accessKeyId = newAccessKeyId();
  const secretAccessKey = newSecretAccessKey();
  const secretHash = await hashSecret(secretAccessKey);
  const sealed = credentials?.sealed(accessKeyId, secretAccessKey) ?? null;
  const result = await commands.handle({ ...command, accessKeyId }, request, {
    alongside: (tx, events) => storeSecretHash(tx, accessKeyId, secretHash, events[0]!.occurredAt, sealed),
  });
  return { result, accessKeyId, secretAccessKey };
}

export function updateAccessKey(commands: CommandPipeline, command: Extract<AccessKeyCommand, { type: "UpdateAccessKey" }>, request: RequestContext): Promise<CommandResult> {
  return commands.handle(command, request);
}

/** DeleteAccessKey: the hash goes with the key, in the same transaction. */
export function deleteAccessKey(commands: CommandPipeline, command: Extract<AccessKeyCommand, { type: "DeleteAccessKey" }>, request: RequestContext): Promise<CommandResult> {
  return commands.handle(command, request, { alongside: (tx) => deleteSecretHash(tx, command.accessKeyId) });
}

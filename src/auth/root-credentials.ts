import { newAccessKeyId, newSecretAccessKey } from "./access-key-material.js";
import type { RootKeySource } from "./authenticator.js";
import type { CredentialStore } from "./credential-store.js";
import { hashSecret } from "./secret-hash.js";

export interface ConfiguredRootKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RootKeyResolution {
  readonly source: RootKeySource;
  /** Set only on the start that generated the key: the one time its secret can be shown. */
  readonly generated?: ConfiguredRootKey;
}

/**
 * The root principal's key, in order of precedence:
 *  1. IAMGRAPH_ROOT_ACCESS_KEY_ID / IAMGRAPH_ROOT_SECRET_ACCESS_KEY (checked against memory);
 *  2. a key generated on an earlier start (its scrypt hash in root_credentials);
 *  3. embedded mode only: a new key, generated now, its hash stored and its secret returned to
 *     be printed once. With a real PostgreSQL (a shared deployment) iamgraph refuses to start
 *     instead: a secret printed by a server ends up in someone's log collector.
 */
export async function resolveRootKey(
  store: CredentialStore,
  options: { readonly configured: ConfiguredRootKey | undefined; readonly mayGenerate: boolean; readonly now: Date },
): Promise<RootKeyResolution> {
  if (options.configured) return { source: { kind: "configured", ...options.configured } };
  const stored = await store.findRootKey();
  if (stored) return { source: { kind: "stored", ...stored } };
  if (!options.mayGenerate) {
    throw new Error(
      "No root credentials: set IAMGRAPH_ROOT_ACCESS_KEY_ID and IAMGRAPH_ROOT_SECRET_ACCESS_KEY " +
        "(an id of 16–128 letters/digits/underscores, e.g. AKIA followed by 16 characters, and a secret of at least 20 characters).",
    );
  }
  const generated = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
  const secretHash = await hashSecret(generated.secretAccessKey);
  const sealedSecret = store.sealed(generated.accessKeyId, generated.secretAccessKey);
  if (await store.storeRootKeyIfAbsent(generated.accessKeyId, secretHash, options.now, sealedSecret)) {
    return { source: { kind: "stored", accessKeyId: generated.accessKeyId, secretHash, sealedSecret }, generated };
  }
  // Another process generated one between our read and our insert: use theirs.
  const winner = await store.findRootKey();
  if (!winner) throw new Error("root_credentials row vanished during bootstrap");
  return { source: { kind: "stored", ...winner } };
}

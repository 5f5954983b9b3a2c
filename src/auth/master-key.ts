import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SecretBox } from "./secret-box.js";

/** The key file of an embedded store, in its data directory. */
export const masterKeyFileName = "master.key";

export interface MasterKeyResolution {
  readonly box: SecretBox;
  /** Where it came from: the environment, the data dir's key file, or (in-memory stores) this process only. */
  readonly source: "configured" | "key-file" | "ephemeral";
}

/**
 * IAMGRAPH_MASTER_KEY: 32 bytes as base64 (44 characters) or hex (64). Parsed at configuration
 * time so a malformed key stops the start with a one-line reason.
 */
export function parseMasterKey(value: string): Buffer {
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, "base64") : undefined;
  if (!key || key.length !== 32) throw new Error("IAMGRAPH_MASTER_KEY must be 32 bytes, as base64 (44 characters) or hex (64 digits): e.g. `openssl rand -base64 32`");
  return key;
}

/**
 * The key-encryption key for access-key secrets (secret-box.ts):
 *  - IAMGRAPH_MASTER_KEY when set (always, with PostgreSQL: a shared store's secrets must not be
 *    sealed under a key that lives on one machine's disk, so iamgraph refuses to start without it);
 *  - embedded on disk: `<dataDir>/master.key`, created once with mode 0600 and read on every
 *    later start — the data dir already holds everything else of this store;
 *  - embedded in memory (tests): a random key for this process, gone with the store.
 */
export function resolveMasterKey(options: { readonly configured: Buffer | undefined; readonly kind: "embedded" | "postgres"; readonly dataDir: string | undefined }): MasterKeyResolution {
  if (options.configured) return { box: new SecretBox(options.configured), source: "configured" };
  if (options.kind === "postgres") {
    throw new Error("IAMGRAPH_MASTER_KEY is not set: with PostgreSQL, access-key secrets are sealed under a master key you provide (32 bytes, base64 or hex; e.g. `openssl rand -base64 32`). Keep it in your secret manager; without it stored keys cannot sign requests.");
  }
  if (!options.dataDir) return { box: new SecretBox(randomBytes(32)), source: "ephemeral" };
  return { box: new SecretBox(readOrCreateKeyFile(path.join(options.dataDir, masterKeyFileName))), source: "key-file" };
}

function readOrCreateKeyFile(file: string): Buffer {
  try {
    // `wx`: created once; a second start (or a racing one) reads the first one's key.
    fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  return parseMasterKey(fs.readFileSync(file, "utf8"));
}

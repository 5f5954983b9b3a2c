import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Access-key secrets, recoverable: SigV4 is an HMAC keyed by the secret, so verifying a signed
 * request needs the secret itself, not a hash of it. Each secret is sealed with AES-256-GCM
 * under the key-encryption key (IAMGRAPH_MASTER_KEY, or the embedded store's key file:
 * master-key.ts), with a fresh 96-bit nonce, and bound to its access key id as associated data
 * so a ciphertext copied onto another key's row does not open.
 *
 * Format: `aes256gcm$<kek id>$<nonce b64>$<ciphertext b64>$<tag b64>`; the kek id (8 hex digits
 * of the KEK's SHA-256) tells a wrong master key apart from a damaged row.
 */
export class SecretBox {
  readonly kekId: string;

  constructor(private readonly kek: Buffer) {
    if (kek.length !== 32) throw new Error("the key-encryption key must be 32 bytes");
    this.kekId = createHash("sha256").update(kek).digest("hex").slice(0, 8);
  }

  seal(secret: string, accessKeyId: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.kek, nonce);
    cipher.setAAD(Buffer.from(accessKeyId, "utf8"));
    const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return ["aes256gcm", this.kekId, nonce.toString("base64"), body.toString("base64"), cipher.getAuthTag().toString("base64")].join("$");
  }

  /** The secret; throws when the row was sealed under another master key or was altered. */
  open(sealed: string, accessKeyId: string): string {
    const parts = sealed.split("$");
    if (parts.length !== 5 || parts[0] !== "aes256gcm") throw new Error("stored secret has an unknown format");
    if (parts[1] !== this.kekId) throw new Error(`the secret of ${accessKeyId} was sealed under another master key (${parts[1]}, this process has ${this.kekId})`);
    const decipher = createDecipheriv("aes-256-gcm", this.kek, Buffer.from(parts[2]!, "base64"));
    decipher.setAAD(Buffer.from(accessKeyId, "utf8"));
    decipher.setAuthTag(Buffer.from(parts[4]!, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(parts[3]!, "base64")), decipher.final()]).toString("utf8");
  }
}

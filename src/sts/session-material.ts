import { createHash, randomBytes, randomInt } from "node:crypto";

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A temporary access key id: ASIA + 16 base32 characters, like STS's (AKIA is for long-term keys). */
export function newSessionAccessKeyId(): string {
  let id = "ASIA";
  for (let i = 0; i < 16; i++) id += base32[randomInt(base32.length)];
  return id;
}

export const isSessionAccessKeyId = (accessKeyId: string) => /^ASIA[A-Z2-7]{16}$/.test(accessKeyId);

/** 40 characters, as for long-term keys. */
export const newSessionSecret = () => randomBytes(30).toString("base64");

/**
 * The session token: 48 random bytes. AWS's token is an opaque encrypted blob carrying the
 * session; here it is only a bearer proof, so the store keeps its SHA-256 digest (a random
 * 384-bit value needs no slow hash: there is nothing to guess).
 */
export const newSessionToken = () => randomBytes(48).toString("base64");

export const tokenDigest = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

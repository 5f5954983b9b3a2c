import { randomBytes, randomInt } from "node:crypto";

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A new access key id: AKIA + 16 characters of base32, 20 in all, like AWS's. */
export function newAccessKeyId(): string {
  let id = "AKIA";
  for (let i = 0; i < 16; i++) id += base32[randomInt(base32.length)];
  return id;
}

/** A new secret access key: 40 characters (240 random bits), AWS's length and alphabet. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}

import { createHash } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * An AWS-managed policy's id (ANPA…), derived from its name so every store gives it the same
 * one (the catalogue carries no ids). Its stream is `policy-<id>`.
 */
export function awsManagedPolicyId(name: string): string {
  const digest = createHash("sha256").update(`aws-managed:${name}`).digest();
  let id = "ANPA";
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Slow, salted hashes of access-key secrets: scrypt from node:crypto (OpenSSL's, no native
 * add-on to install). Parameters travel with each hash so they can be raised later without
 * invalidating stored keys: `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`.
 *
 * N = 2^15, r = 8 is OWASP's scrypt recommendation (32 MiB, tens of milliseconds here — see
 * bench/auth.bench.ts); verification of a secret already proven in this process is cached by
 * the authenticator, so only the first request of a key pays it.
 */
const defaults = { log2N: 15, r: 8, p: 1, keyLength: 32, saltLength: 16 };

function derive(secret: string, salt: Buffer, log2N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const N = 2 ** log2N;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashSecret(secret: string, params: Partial<typeof defaults> = {}): Promise<string> {
  const { log2N, r, p, keyLength, saltLength } = { ...defaults, ...params };
  const salt = randomBytes(saltLength);
  const key = await derive(secret, salt, log2N, r, p, keyLength);
  return `scrypt$${log2N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** Whether `secret` matches `encoded`; the comparison takes the same time wherever they differ. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") throw new Error("stored secret hash has an unknown format");
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  const actual = await derive(secret, salt, log2N, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

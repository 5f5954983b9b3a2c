// BinaryEquals: policy and context values are base64; they match when the bytes are equal
// (so `QQ==` and `QQ` compare equal). Text that is not base64 never matches.

import type { ValueCompiler } from "./types.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Decode base64 into a string of byte values (one char per byte), or null if malformed. */
export function decodeBase64(text: string): string | null {
  let t = text.replace(/\s+/g, "");
  t = t.replace(/={1,2}$/, "");
  if (t.length % 4 === 1) return null;
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < t.length; i++) {
    const code = t.charCodeAt(i);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) return null;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}

export const binaryEquals: ValueCompiler = (_pieces, text) => {
  const want = decodeBase64(text);
  if (want === null) return null;
  return (v) => decodeBase64(v) === want;
};

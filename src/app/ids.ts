import { randomInt } from "node:crypto";
import { idPrefixes, type IdKind } from "../domain/shared/ids.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A new AWS-style unique id: prefix + 17 characters of [A-Z0-9], from a CSPRNG. */
export function newUniqueId(kind: IdKind): string {
  let id: string = idPrefixes[kind];
  for (let i = 0; i < 17; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

// ARN operators: ArnEquals and ArnLike behave the same — case-sensitive, each of the six
// colon-separated ARN parts matched on its own, `*` and `?` allowed in every part.

import { arnGlobMatches, compileGlob } from "../wildcard.js";
import type { ValueCompiler } from "./types.js";

export const arnLike: ValueCompiler = (pieces) => {
  const glob = compileGlob(pieces);
  return (v) => arnGlobMatches(glob, v);
};

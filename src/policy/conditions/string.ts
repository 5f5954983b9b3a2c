// String operators (reference_policies_elements_condition_operators, String): Equals is exact and
// case-sensitive, EqualsIgnoreCase folds case, Like allows `*` and `?` anywhere in the value.

import { compileGlob, globMatches } from "../wildcard.js";
import type { ValueCompiler } from "./types.js";

export const stringEquals: ValueCompiler = (_pieces, text) => (v) => v === text;

export const stringEqualsIgnoreCase: ValueCompiler = (_pieces, text) => {
  const lower = text.toLowerCase();
  return (v) => v.toLowerCase() === lower;
};

export const stringLike: ValueCompiler = (pieces) => {
  const glob = compileGlob(pieces);
  return (v) => globMatches(glob, v);
};

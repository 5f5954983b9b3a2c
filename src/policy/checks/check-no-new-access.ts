// Access Analyzer's CheckNoNewAccess: does the updated policy allow anything the existing one
// does not? PASS or FAIL with a reason per statement of the new policy that grants new access,
// naming an action and a resource it grants (new-access.ts decides). Pure; never throws.

import type { PolicyDocument } from "../document.js";
import { parsePolicyDocument } from "../parse.js";
import type { ServiceReference } from "../service-reference.js";
import { newAccess, type NewAccess } from "./new-access.js";
import type { AccessCheckPolicyType, CheckOutcome, CheckReason } from "./types.js";

const MESSAGES = {
  PASS: "The modified permissions do not grant new access compared to your existing policy.",
  FAIL: "The modified permissions grant new access compared to your existing policy.",
} as const;

/** Parse one of the documents a check compares; the message names which input is at fault. */
export function parseCheckedDocument(text: string, input: string): { ok: true; document: PolicyDocument } | { ok: false; code: "MalformedPolicyDocument"; message: string } {
  const parsed = parsePolicyDocument(text, "identity");
  return parsed.ok ? parsed : { ok: false, code: "MalformedPolicyDocument", message: `${input}: ${parsed.reason}` };
}

export function checkNoNewAccess(
  newPolicyDocument: string,
  existingPolicyDocument: string,
  policyType: AccessCheckPolicyType,
  reference: ServiceReference,
): CheckOutcome {
  if (policyType !== "IDENTITY_POLICY") return { ok: false, code: "ValidationError", message: "policyType: only IDENTITY_POLICY is supported; resource policies are not compared yet." };
  const fresh = parseCheckedDocument(newPolicyDocument, "newPolicyDocument");
  if (!fresh.ok) return fresh;
  const existing = parseCheckedDocument(existingPolicyDocument, "existingPolicyDocument");
  if (!existing.ok) return existing;
  const found = perStatement(newAccess(fresh.document, existing.document, reference));
  const reasons = found.map((f) => reason(f, fresh.document, "which the existing policy does not allow"));
  const result = reasons.length === 0 ? "PASS" : "FAIL";
  return { ok: true, response: { result, message: MESSAGES[result], reasons } };
}

/**
 * One reason per statement, as AWS gives them: the first new access found for it, the other
 * actions it grants anew counted in `alike`; undecided only when nothing about it was decided.
 */
export function perStatement(found: readonly NewAccess[]): NewAccess[] {
  const byStatement = new Map<number, NewAccess>();
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
export function reason(f: NewAccess, document: PolicyDocument, tail: string): CheckReason {
  const sid = document.statements[f.statementIndex]?.sid;
  const where = `The statement at index ${f.statementIndex}${sid ? ` (Sid ${sid})` : ""}`;
  if (f.undecided) {
    return {
      description: `${where} could not be compared exhaustively (too many resource patterns, conditions or policy variables for ${f.action}); it is treated as granting new access.`,
      statementIndex: f.statementIndex,
      ...(sid ? { statementId: sid } : {}),
      action: f.action,
      undecided: true,
    };
  }
  const alike = f.alike > 0 ? ` (and ${f.alike} other action${f.alike > 1 ? "s" : ""} alike)` : "";
  // The empty resource is the class "matched only by patterns such as *": any resource no other pattern names.
  const on = f.resource === "" ? "any resource no other pattern names (*)" : f.resource;
  const context = f.context.length === 0 ? "" : ` when ${f.context.map((c) => (c.values.length === 0 ? `${c.key} is absent` : `${c.key} is ${c.values.join(", ")}`)).join(" and ")}`;
  return {
    description: `${where} allows ${f.action}${alike} on ${on}${context}, ${tail}.`,
    statementIndex: f.statementIndex,
    ...(sid ? { statementId: sid } : {}),
    action: f.action,
    resource: f.resource,
  };
}

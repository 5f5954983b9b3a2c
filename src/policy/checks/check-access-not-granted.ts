// Access Analyzer's CheckAccessNotGranted: does a policy allow any of the listed actions on any
// of the listed resources? The listed access is turned into the existing policy AWS's own
// samples use for this ("Allow * on *" except a Deny of that access), so the question is
// CheckNoNewAccess's: anything the policy allows that the reference does not is listed access.
// Only actions: those actions on any resource; only resources: any action on them. For a resource
// policy the reference names every principal (`Principal: "*"`): listed access granted to anyone
// is listed access.

import type { PolicyDocument } from "../document.js";
import { arnProblem } from "../findings/resources.js";
import type { ServiceReference } from "../service-reference.js";
import { compare, parseCheckedDocument, perStatement, reason } from "./check-no-new-access.js";
import type { AccessCheckPolicyType, CheckOutcome } from "./types.js";

export interface Access {
  readonly actions?: readonly string[];
  readonly resources?: readonly string[];
}

const MESSAGES = {
  PASS: "The policy document does not grant access to perform the listed actions or resources.",
  FAIL: "The policy document grants access to perform one or more of the listed actions or resources.",
} as const;
const MAX_ITEMS = 100;

/** AWS's Access constraints: at most 100 of each, at least one of either, wildcards only in a resource's id. */
export function accessProblem(access: Access): string | undefined {
  const actions = access.actions ?? [];
  const resources = access.resources ?? [];
  if (actions.length === 0 && resources.length === 0) return "access: list at least one action or resource.";
  if (actions.length > MAX_ITEMS) return `access.actions: at most ${MAX_ITEMS} actions.`;
  if (resources.length > MAX_ITEMS) return `access.resources: at most ${MAX_ITEMS} resources.`;
  for (const a of actions) if (a !== "*" && !/^[A-Za-z0-9*?.-]+:[A-Za-z0-9*?]+$/.test(a)) return `access.actions: ${JSON.stringify(a)} is not an action (service:action).`;
  for (const r of resources) {
    if (r.length > 2048) return "access.resources: a resource is longer than 2048 characters.";
    if (r === "*" || arnProblem(r) !== undefined) return `access.resources: ${JSON.stringify(r)} is not a resource ARN.`;
    if (/[*?]/.test(r.split(":").slice(0, 5).join(":"))) return `access.resources: ${JSON.stringify(r)} has a wildcard outside its resource id.`;
  }
  return undefined;
}

/** The existing policy that grants everything except the listed access (to anyone, for a resource policy). */
export function referencePolicy(access: Access, policyType: AccessCheckPolicyType = "IDENTITY_POLICY"): PolicyDocument {
  const actions = access.actions?.length ? access.actions : ["*"];
  const resources = access.resources?.length ? access.resources : ["*"];
  const anyone = policyType === "RESOURCE_POLICY" ? { principal: "*" as const } : {};
  return {
    version: "2012-10-17",
    statements: [
      { effect: "Allow", action: ["*"], resource: ["*"], conditions: [], ...anyone },
      { effect: "Deny", action: actions, resource: resources, conditions: [], ...anyone },
    ],
  };
}

export function checkAccessNotGranted(policyDocument: string, access: Access, policyType: AccessCheckPolicyType, reference: ServiceReference): CheckOutcome {
  const problem = accessProblem(access);
  if (problem) return { ok: false, code: "ValidationError", message: problem };
  const policy = parseCheckedDocument(policyDocument, "policyDocument", policyType);
  if (!policy.ok) return policy;
  const found = perStatement(compare(policy.document, referencePolicy(access, policyType), policyType, reference));
  const reasons = found.map((f) => reason(f, policy.document, "which is listed access"));
  const result = reasons.length === 0 ? "PASS" : "FAIL";
  return { ok: true, response: { result, message: MESSAGES[result], reasons } };
}

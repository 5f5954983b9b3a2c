// Session policies (access_policies_session, reference_policies_evaluation-logic): the
// permissions of a role session are the intersection of the role's identity-based policies
// (and its boundary) with the session policies passed to AssumeRole. A session policy never
// grants by itself; a Deny in it denies. Without session policies the role's decision stands.

import type { CompiledPolicySet } from "./compile.js";
import { evaluate, type EvaluationResult } from "./evaluate.js";
import type { AuthorizationRequest } from "./request.js";

export function evaluateSession(
  roleSet: CompiledPolicySet,
  sessionSet: CompiledPolicySet | undefined,
  request: AuthorizationRequest,
): EvaluationResult {
  const role = evaluate(roleSet, request);
  if (sessionSet === undefined || role.decision === "explicitDeny") return role;
  const session = evaluate(sessionSet, request);
  const missingContextValues = [...new Set([...role.missingContextValues, ...session.missingContextValues])];
  if (session.decision === "explicitDeny") {
    return { decision: "explicitDeny", reason: "explicitDeny in session policy", matchedStatements: session.matchedStatements, missingContextValues };
  }
  if (role.decision !== "allowed") return { ...role, missingContextValues };
  if (session.decision !== "allowed") {
    return { decision: "implicitDeny", reason: "no session policy allows", matchedStatements: [], missingContextValues };
  }
  return { ...role, missingContextValues };
}

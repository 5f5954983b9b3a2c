import { DomainError } from "../../domain/shared/domain-error.js";
import type { EvalReason } from "../../policy/evaluate.js";

/**
 * AWS's AccessDenied message for an IAM caller, one form per reason the evaluator gives
 * (IAM User Guide, "Troubleshoot access denied error messages"): the message names the caller,
 * the action and the resource, and which kind of policy refused — never which statement.
 */
export function accessDeniedMessage(callerArn: string, action: string, resource: string, reason: Exclude<EvalReason, "allowed">): string {
  const head = `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (reason) {
    case "no identity allow":
      return `${head} because no identity-based policy allows the ${action} action`;
    case "explicitDeny in identity policy":
      return `${head} with an explicit deny in an identity-based policy`;
    case "boundary does not allow":
      return `${head} because no permissions boundary allows the ${action} action`;
    case "explicitDeny in permissions boundary":
      return `${head} with an explicit deny in a permissions boundary`;
    case "no session policy allows":
      return `${head} because no session policy allows the ${action} action`;
    case "explicitDeny in session policy":
      return `${head} with an explicit deny in a session policy`;
    // A caller never gets here (authentication refuses an expired session: ExpiredToken); a decision about a session can.
    case "session expired":
      return `${head} because the session has expired`;
  }
}

export function accessDenied(callerArn: string, action: string, resource: string, reason: Exclude<EvalReason, "allowed">): DomainError {
  return new DomainError("AccessDenied", accessDeniedMessage(callerArn, action, resource, reason));
}

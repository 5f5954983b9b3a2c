// Trust-policy evaluation: may this principal ask STS for this role? Pure; the resource is
// always the role itself, so a trust statement has no Resource and matches on Principal,
// Action and Condition (reference_policies_elements_principal, id_roles_update-role-trust-policy).
//
// Principal matching, by the Principal element's keys:
//   "*" (the whole element)            every principal, AWS or federated or service
//   AWS: "*"                           every AWS principal (user, role session, account root)
//   AWS: "<12 digits>" | "...:root"    any principal of that account: an *account-level* match,
//                                      which delegates to the account's identity policies
//   AWS: user ARN                      that user (exact, case-sensitive; no partial wildcards)
//   AWS: role ARN                      any session of that role (role chaining)
//   AWS: assumed-role session ARN      that one session
//   Federated: provider                a web identity from that provider (ARN or well-known name)
//   Service: "<name>.amazonaws.com"    that service
// NotPrincipal is not supported in role trust policies (reference_policies_elements_notprincipal:
// "You cannot use the NotPrincipal element ... in an IAM role trust policy"); a parser that lets
// one through still gets a conservative reading: with Allow it grants nothing, with Deny it
// denies every principal except those listed.
// Decision: any matching Deny → explicitDeny; else any matching Allow → allowed; else implicitDeny.

import { compileDocument } from "./compile.js";
import type { Effect, PolicyDocument, PrincipalSpec } from "./document.js";
import type { ContextEntry } from "./request.js";
import { statementConditionsHold, statementMatchesAction } from "./statement.js";

/** Who is asking to assume the role. */
export type TrustCaller =
  | { readonly kind: "root"; readonly accountId: string }
  | { readonly kind: "user"; readonly accountId: string; readonly arn: string }
  | { readonly kind: "session"; readonly accountId: string; readonly roleArn: string; readonly sessionArn: string }
  | { readonly kind: "federated"; readonly provider: string }
  | { readonly kind: "service"; readonly service: string };

/** How a statement's Principal named the caller. */
export type PrincipalMatch = "wildcard" | "account" | "principal";

export interface TrustRequest {
  readonly caller: TrustCaller;
  /** `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, `sts:SetSourceIdentity`. */
  readonly action: string;
  /** Condition keys, keyed by lower-cased name (buildContext). */
  readonly context: ReadonlyMap<string, ContextEntry>;
}

export interface TrustMatch {
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly principalMatch: PrincipalMatch;
}

export interface TrustEvaluation {
  readonly decision: "allowed" | "explicitDeny" | "implicitDeny";
  /** The Deny statements when denied, the Allow ones when allowed. */
  readonly matched: readonly TrustMatch[];
}

const ACCOUNT_ROOT = /^arn:aws:iam::(\d{12}):root$/;

function callerAccount(caller: TrustCaller): string | undefined {
  return caller.kind === "root" || caller.kind === "user" || caller.kind === "session" ? caller.accountId : undefined;
}

/** How one AWS-key value names the caller, or undefined when it does not. */
function matchAwsValue(value: string, caller: TrustCaller): PrincipalMatch | undefined {
  const account = callerAccount(caller);
  if (account === undefined) return undefined;
  if (value === "*") return "wildcard";
  if (value === account || ACCOUNT_ROOT.exec(value)?.[1] === account) return caller.kind === "root" ? "principal" : "account";
  if (caller.kind === "user" && value === caller.arn) return "principal";
  if (caller.kind === "session" && (value === caller.roleArn || value === caller.sessionArn)) return "principal";
  return undefined;
}

/** The strongest way a Principal element names the caller ("principal" beats "account" beats "wildcard"). */
export function principalMatches(spec: PrincipalSpec, caller: TrustCaller): PrincipalMatch | undefined {
  if (spec === "*") return "wildcard";
  const found: PrincipalMatch[] = [];
  for (const [type, values] of Object.entries(spec)) {
    for (const value of values) {
      if (type === "AWS") {
        const m = matchAwsValue(value, caller);
        if (m !== undefined) found.push(m);
      } else if (type === "Federated" && caller.kind === "federated" && value === caller.provider) {
        found.push("principal");
      } else if (type === "Service" && caller.kind === "service" && value === caller.service) {
        found.push("principal");
      }
    }
  }
  for (const strongest of ["principal", "account", "wildcard"] as const) if (found.includes(strongest)) return strongest;
  return undefined;
}

export function evaluateTrustPolicy(document: PolicyDocument, request: TrustRequest): TrustEvaluation {
  const compiled = compileDocument(document).statements;
  const lowerAction = request.action.toLowerCase();
  const allows: TrustMatch[] = [];
  const denies: TrustMatch[] = [];
  document.statements.forEach((statement, i) => {
    const cs = compiled[i]!;
    let principalMatch: PrincipalMatch | undefined;
    if (statement.principal !== undefined) principalMatch = principalMatches(statement.principal, request.caller);
    else if (statement.notPrincipal !== undefined && statement.effect === "Deny") {
      principalMatch = principalMatches(statement.notPrincipal, request.caller) === undefined ? "wildcard" : undefined;
    }
    if (principalMatch === undefined) return;
    if (!statementMatchesAction(cs, lowerAction) || !statementConditionsHold(cs, request.context)) return;
    const m: TrustMatch = { statementIndex: i, ...(cs.sid === undefined ? {} : { sid: cs.sid }), effect: cs.effect, principalMatch };
    (cs.effect === "Deny" ? denies : allows).push(m);
  });
  if (denies.length > 0) return { decision: "explicitDeny", matched: denies };
  if (allows.length > 0) return { decision: "allowed", matched: allows };
  return { decision: "implicitDeny", matched: [] };
}

export type AssumeDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly deniedBy: "trust policy" | "identity policy" };

/**
 * Combines the trust policy with the caller's identity policies (AssumeRole API reference;
 * reference_policies_evaluation-logic-cross-account):
 * - the trust policy must allow, always — a role trusts no one it does not name;
 * - an explicit Deny in the caller's identity policies always refuses;
 * - across accounts, the caller's identity policies must allow sts:AssumeRole as well;
 * - in the role's own account they must allow too when the trust policy named only the account
 *   (or `*`), which delegates to them; a trust policy naming the caller itself (its user ARN, its
 *   role or session ARN) suffices on its own — "add the user as a principal directly in the
 *   role's trust policy".
 * Federated and service callers have no identity policies here: the trust policy decides.
 */
export function assumeRoleDecision(
  trust: TrustEvaluation,
  identity: "allowed" | "explicitDeny" | "implicitDeny" | "none",
  sameAccount: boolean,
): AssumeDecision {
  if (trust.decision !== "allowed") return { allowed: false, deniedBy: "trust policy" };
  if (identity === "none") return { allowed: true };
  if (identity === "explicitDeny") return { allowed: false, deniedBy: "identity policy" };
  if (identity === "allowed") return { allowed: true };
  const named = trust.matched.some((m) => m.principalMatch === "principal");
  if (sameAccount && named) return { allowed: true };
  return { allowed: false, deniedBy: "identity policy" };
}

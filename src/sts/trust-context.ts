import type { PrismaClient } from "../generated/prisma/client.js";
import type { SessionCaller, UserCaller } from "../auth/caller.js";
import { loadPrincipals } from "../authz/principal.js";
import { principalContext } from "../authz/request-context.js";
import { sessionContext } from "../authz/session-grant.js";
import type { ContextEntry } from "../policy/request.js";
import type { TrustCaller } from "../policy/trust-policy.js";

/**
 * The caller as a trust policy sees it, and the caller's own condition keys (aws:PrincipalArn,
 * aws:PrincipalTag/*, aws:userid…) — for a role session those of its role, with the session's
 * tags and keys over them, as for any other request it makes.
 */
export async function trustCallerOf(prisma: PrismaClient, caller: UserCaller | SessionCaller, now: Date): Promise<{ trustCaller: TrustCaller; callerContext: ContextEntry[] }> {
  if (caller.kind === "user") {
    const [principal] = await loadPrincipals(prisma, [caller.arn]);
    return {
      trustCaller: { kind: "user", accountId: caller.accountId, arn: caller.arn },
      callerContext: principal ? principalContext(principal, now) : [],
    };
  }
  const { session } = caller;
  const [role] = await loadPrincipals(prisma, [session.roleArn]);
  return {
    trustCaller: { kind: "session", accountId: caller.accountId, roleArn: session.roleArn, sessionArn: caller.arn },
    callerContext: [...(role ? principalContext(role, now) : []), ...sessionContext(session)],
  };
}

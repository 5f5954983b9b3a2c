import type { AuthorizeRequest } from "../../authz/authorizer.js";
import type { RequestOrigin } from "../../auth/caller.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { EvaluationResult } from "../../policy/evaluate.js";
import type { ContextEntry } from "../../policy/request.js";
import type { Context } from "../context.js";
import { accessDenied } from "./access-denied.js";
import type { Authorize } from "../../app/command-authorization.js";
import type { AuthorizationChecks } from "../../authz/authorization-check.js";
import type { PrismaClient } from "../../generated/prisma/client.js";

/**
 * Decides an operation's checks for the request's caller. Root is allowed everything without
 * evaluation, as in AWS. A user's checks go through the request's `authorize` DataLoader, so
 * every guarded field of one request — a hundred users' nested fields — is decided in one batch.
 * Returns the AccessDenied of the first check (in the rule's order) that is not allowed.
 */
export async function authorizeChecks(ctx: Context, checks: AuthorizationChecks): Promise<DomainError | undefined> {
  const { caller } = ctx;
  if (caller.kind === "root" || checks.length === 0) return undefined;
  const requests = checks.map((c) => callerRequest(ctx, c.action, c.resource, c.context));
  const results = await Promise.all(requests.map((r) => ctx.loaders.authorize.load(r).catch(onMissingPrincipal)));
  for (const [i, result] of results.entries()) {
    if (result.decision !== "allowed") return accessDenied(caller.arn, checks[i]!.action, checks[i]!.resource, result.reason as never);
  }
  return undefined;
}

/** The authorizer's request for the caller: the transport's keys first, the operation's after. */
export function callerRequest(ctx: Context, action: string, resource: string, context: readonly ContextEntry[] = []): AuthorizeRequest {
  const { caller } = ctx;
  // A role session is evaluated as its role, within the session's policies (src/authz/session-grant.ts).
  const principal = caller.kind === "session" ? { principalArn: caller.session.roleArn, session: caller.session } : { principalArn: caller.arn };
  return { ...principal, action, resource, context: [...originContext(ctx.origin), ...context] };
}

/**
 * The authorizer's principal for a `principalArn` argument (authorize, decisionChanged): a role
 * session's ARN is decided as the session (src/sts/sts-service.ts, principalOf), at `at`.
 */
export function decisionPrincipal(ctx: Context, principalArn: string, at?: Date): Promise<Pick<AuthorizeRequest, "principalArn" | "session">> {
  return ctx.sts ? ctx.sts.principalOf(principalArn, at) : Promise.resolve({ principalArn });
}

/** aws:SourceIp, aws:SecureTransport and aws:UserAgent, from the connection (reference_policies_condition-keys). */
export function originContext(origin: RequestOrigin): ContextEntry[] {
  return [
    ...(origin.sourceIp ? [{ key: "aws:SourceIp", type: "ip" as const, values: [origin.sourceIp] }] : []),
    { key: "aws:SecureTransport", type: "boolean", values: [String(origin.secureTransport)] },
    ...(origin.userAgent ? [{ key: "aws:UserAgent", type: "string" as const, values: [origin.userAgent] }] : []),
  ];
}

/**
 * The caller authenticated, then vanished before its checks ran (its user was deleted in
 * between): a principal that does not exist holds no policy that allows anything.
 */
const missingPrincipal: EvaluationResult = { decision: "implicitDeny", reason: "no identity allow", matchedStatements: [], missingContextValues: [] };

function onMissingPrincipal(err: unknown): EvaluationResult {
  if (err instanceof DomainError && err.code === "NoSuchEntity") return missingPrincipal;
  throw err;
}

/**
 * The caller's side of the pipeline's authorization port (src/app/command-authorization.ts):
 * every command a request sends is decided by the caller's own policies, inside the pipeline,
 * under the write lock — the caller's tags and policies read from the writing transaction, the
 * targets' facts too — so a change that commits while the request waits for the lock decides.
 * Root is allowed everything, as in AWS.
 */
export function commandAuthority(ctx: Context): Authorize {
  const { caller } = ctx;
  return async (checks, tx) => {
    if (caller.kind === "root" || checks.length === 0) return undefined;
    const requests = checks.map((c) => callerRequest(ctx, c.action, c.resource, c.context));
    const results = await ctx.authorizer.authorizeManyIn(tx as unknown as PrismaClient, requests);
    for (const [i, outcome] of results.entries()) {
      const result = outcome instanceof DomainError ? onMissingPrincipal(outcome) : outcome;
      if (result.decision !== "allowed") return accessDenied(caller.arn, checks[i]!.action, checks[i]!.resource, result.reason as never);
    }
    return undefined;
  };
}

import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { RateLimiter } from "./rate-limiter.js";

/**
 * Per-access-key rate limiting, answered as AWS does: `Throttling` / "Rate exceeded", HTTP 429,
 * with Retry-After in whole seconds. Each operation (query, mutation, subscription start, over
 * HTTP or graphql-ws) spends one token of its caller's bucket before it runs, so a throttled
 * mutation writes nothing. Documents refused earlier (limits, validation) cost no execution
 * and are not counted; requests without valid credentials are answered 401 before this and
 * are the authenticator's to slow down (by source IP, with its own RateLimiter).
 */
export function throttlePerAccessKey(limiter: RateLimiter): Plugin {
  const check = (contextValue: unknown) => {
    const accessKeyId = accessKeyIdOf(contextValue);
    if (accessKeyId === undefined) return undefined;
    const decision = limiter.take(accessKeyId);
    return decision.allowed ? undefined : throttled(decision.retryAfterMs);
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args.contextValue);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args.contextValue);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

export function throttled(retryAfterMs: number): GraphQLError {
  const retryAfter = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return new GraphQLError("Rate exceeded", {
    extensions: { code: "Throttling", http: { status: 429, headers: { "retry-after": retryAfter } } },
  });
}

/** The caller's key id, read defensively: a context without a caller is simply not limited. */
function accessKeyIdOf(contextValue: unknown): string | undefined {
  const caller = (contextValue as { caller?: { accessKeyId?: unknown } } | null)?.caller;
  return typeof caller?.accessKeyId === "string" ? caller.accessKeyId : undefined;
}

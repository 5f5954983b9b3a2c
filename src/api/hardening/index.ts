import type { Plugin } from "graphql-yoga";
import { defaultHardening, type HardeningConfig } from "./config.js";
import { csrfPrevention } from "./csrf.js";
import { queryLimits } from "./limits.js";
import { productionSchemaPrivacy } from "./production.js";
import { RateLimiter } from "./rate-limiter.js";
import { requestIdPlugin } from "./request-id.js";
import { securityHeaders } from "./security-headers.js";
import { throttlePerAccessKey } from "./throttle.js";

/** Limits and protections every request passes through (issue 6, hardening; README "Hardening"). */
export interface HardeningOptions {
  readonly production: boolean;
  /** Query limits and rate limit; Config.hardening, defaults when absent. */
  readonly limits?: HardeningConfig;
  /** Clock for the rate limiter (tests). */
  readonly now?: () => number;
}

/**
 * In the order they act: the request id and the response headers wrap everything (so 401, 413
 * and 429 answers carry them too); CSRF before the body is parsed; document limits at parse and
 * before validation; production's schema privacy at validation; the rate limit just before an
 * operation runs. Body size is yoga.ts's `bodyLimit`; batching stays off (Yoga answers an array
 * body with 400 "Batching is not supported."), so one request is one operation for every limit.
 */
export function hardeningPlugins(options: HardeningOptions): Plugin[] {
  const limits = options.limits ?? defaultHardening;
  const limiter = new RateLimiter({
    ratePerSecond: limits.rateLimit.requestsPerSecond,
    burst: limits.rateLimit.burst,
    ...(options.now ? { now: options.now } : {}),
  });
  return [
    requestIdPlugin() as Plugin,
    securityHeaders(),
    csrfPrevention(),
    queryLimits(limits),
    ...(options.production ? [productionSchemaPrivacy()] : []),
    throttlePerAccessKey(limiter),
  ];
}

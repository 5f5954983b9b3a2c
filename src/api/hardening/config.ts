/**
 * Limits every request passes through (README "Hardening"). The defaults sit well above the
 * largest document iamgraph's own tests, benchmarks and GraphiQL example send (depth 7,
 * 4 aliases, no directives, ~200 tokens, cost ~13 000 for a 1000-event page) and far below
 * what it takes to hurt the server.
 */
export interface HardeningConfig {
  /** Deepest field nesting in one operation (fragments counted at their depth). */
  readonly maxDepth: number;
  /** Aliased fields in one operation (`__typename` aliases are free). */
  readonly maxAliases: number;
  /** Lexical tokens in a document; parsing stops at the first one over. */
  readonly maxTokens: number;
  /** Directives in one operation. */
  readonly maxDirectives: number;
  /** graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, × literal `first`/`last`. */
  readonly maxCost: number;
  /** Token bucket per access key: sustained requests per second and burst size. */
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number };
}

export const defaultHardening: HardeningConfig = {
  maxDepth: 12,
  maxAliases: 50,
  maxTokens: 2_000,
  maxDirectives: 20,
  maxCost: 100_000,
  // Generous: a tight client loop in a test or benchmark never meets it; a runaway script does.
  rateLimit: { requestsPerSecond: 1_000, burst: 2_000 },
};

/** IAMGRAPH_MAX_DEPTH, …_ALIASES, …_TOKENS, …_DIRECTIVES, …_COST, IAMGRAPH_RATE_LIMIT_RPS / _BURST. */
export function hardeningFrom(env: NodeJS.ProcessEnv): HardeningConfig {
  const d = defaultHardening;
  return {
    maxDepth: positiveInt(env, "IAMGRAPH_MAX_DEPTH", d.maxDepth),
    maxAliases: positiveInt(env, "IAMGRAPH_MAX_ALIASES", d.maxAliases),
    maxTokens: positiveInt(env, "IAMGRAPH_MAX_TOKENS", d.maxTokens),
    maxDirectives: positiveInt(env, "IAMGRAPH_MAX_DIRECTIVES", d.maxDirectives),
    maxCost: positiveInt(env, "IAMGRAPH_MAX_COST", d.maxCost),
    rateLimit: {
      requestsPerSecond: positiveInt(env, "IAMGRAPH_RATE_LIMIT_RPS", d.rateLimit.requestsPerSecond),
      burst: positiveInt(env, "IAMGRAPH_RATE_LIMIT_BURST", d.rateLimit.burst),
    },
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

// jose is loaded when a first issuer's keys are needed (as in web-identity.ts).
import type { JWTVerifyGetKey } from "jose";

export interface OidcKeysOptions {
  /** How to reach issuers (default global fetch); tests route an https issuer to a local server. */
  readonly fetch?: typeof fetch;
  /** How long a discovered jwks_uri is trusted before the discovery document is read again (default 1 h). */
  readonly discoveryTtlMs?: number;
  /** Least time between two JWKS fetches forced by an unknown key id (jose's cooldown; default 30 s). */
  readonly cooldownMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export class OidcDiscoveryError extends Error {}

/**
 * The verification keys of OpenID Connect issuers: the issuer's discovery document
 * (`<issuer>/.well-known/openid-configuration`) names its `jwks_uri`; jose's remote key set
 * fetches and caches that JWKS, and fetches it again when a token names a key id it does not
 * hold (key rotation), at most once per cooldown. One key set per issuer, kept for the TTL.
 */
export class OidcKeys {
  readonly #byIssuer = new Map<string, { keys: JWTVerifyGetKey; until: number }>();
  readonly #opts: Required<Omit<OidcKeysOptions, "fetch">> & { fetch: typeof fetch };

  constructor(options: OidcKeysOptions = {}) {
    this.#opts = { fetch: globalThis.fetch, discoveryTtlMs: 3_600_000, cooldownMs: 30_000, timeoutMs: 5_000, now: Date.now, ...options };
  }

  async keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const now = this.#opts.now();
    const known = this.#byIssuer.get(issuer);
    if (known && known.until > now) return known.keys;
    const jwksUri = await this.#discover(issuer);
    const doFetch = this.#opts.fetch;
    const { createRemoteJWKSet, customFetch } = await import("jose");
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: this.#opts.cooldownMs,
      timeoutDuration: this.#opts.timeoutMs,
      [customFetch]: (url: string, init: RequestInit) => doFetch(url, init),
    });
    if (this.#byIssuer.size > 1000) this.#byIssuer.clear();
    this.#byIssuer.set(issuer, { keys, until: now + this.#opts.discoveryTtlMs });
    return keys;
  }

  async #discover(issuer: string): Promise<string> {
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    let body: unknown;
    try {
      const response = await this.#opts.fetch(url, { signal: AbortSignal.timeout(this.#opts.timeoutMs), redirect: "error" });
      if (!response.ok) throw new OidcDiscoveryError(`${url} answered HTTP ${response.status}`);
      body = await response.json();
    } catch (err) {
      throw err instanceof OidcDiscoveryError ? err : new OidcDiscoveryError(`${url}: ${(err as Error).message}`);
    }
    const doc = body as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery 1.0 §4.3: the document's issuer must be the issuer asked about.
    if (typeof doc.issuer !== "string" || doc.issuer.replace(/\/+$/, "") !== issuer.replace(/\/+$/, "")) throw new OidcDiscoveryError(`${url} names another issuer`);
    if (typeof doc.jwks_uri !== "string") throw new OidcDiscoveryError(`${url} has no jwks_uri`);
    return doc.jwks_uri;
  }
}

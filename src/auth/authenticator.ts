import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from "node:crypto";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { RateLimiter } from "../api/hardening/rate-limiter.js";
import { AuthenticationFailure, invalidKeyId, secretMismatch, throttled } from "./authentication-failure.js";
import { parseAuthorizationHeader, type PresentedCredentials } from "./authorization-header.js";
import { rootArn, type Caller } from "./caller.js";
import type { CredentialStore } from "./credential-store.js";
import { verifySecret } from "./secret-hash.js";
import type { SessionAuthenticator } from "../sts/session-authenticator.js";
import { SignedRequestVerifier, type SessionTokenLookup } from "./signed-authentication.js";
import type { SignableRequest } from "../aws/sigv4.js";

/** Where the root principal's key comes from (src/auth/root-credentials.ts decides). */
export type RootKeySource =
  | { readonly kind: "configured"; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly kind: "stored"; readonly accessKeyId: string; readonly secretHash: string; readonly sealedSecret?: string | null };

interface Proven {
  /** HMAC of the secret under this process's random key: comparable in constant time, useless elsewhere. */
  readonly digest: Buffer;
  readonly caller: Caller;
  readonly userId?: string;
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  readonly store: CredentialStore;
  readonly accountId: string;
  readonly root: RootKeySource;
  readonly now?: () => number;
  /** How long a proven secret is trusted without the database (default 5 min); events revoke sooner. */
  readonly cacheTtlMs?: number;
  readonly maxCachedKeys?: number;
  /** Last-used time is written at most this often per key (default 60 s). */
  readonly lastUsedResolutionMs?: number;
  readonly onError?: (err: unknown) => void;
  /** Temporary credentials (ASIA… ids) are STS sessions, proven by src/sts/session-authenticator.ts. */
  readonly sessions?: SessionAuthenticator;
  /**
   * Failed attempts one source address may make (burst, then per second) before its unproven
   * secrets are refused unverified with Throttling (default 20, then 1/s). Each wrong secret
   * costs a scrypt verification; without this, anyone could keep the cores busy hashing.
   */
  readonly failures?: { readonly burst: number; readonly perSecond: number };
  /** Temporary credentials for SigV4 requests carrying X-Amz-Security-Token (signed-authentication.ts). */
  readonly sessionTokens?: SessionTokenLookup;
}

/**
 * Turns an Authorization header into a Caller.
 *
 * The first request with a key pays one scrypt verification (tens of ms); after that the proven
 * secret is remembered as an HMAC digest under a per-process random key, so later requests cost
 * one HMAC and a constant-time comparison. Events that revoke a key (deactivation, deletion) or
 * change its owner's identity (rename, deletion) drop it from memory as they commit; the TTL
 * bounds staleness for changes made by other processes.
 */
export class Authenticator {
  readonly #opts: Required<Omit<AuthenticatorOptions, "onError" | "failures" | "sessions" | "sessionTokens">> & Pick<AuthenticatorOptions, "onError" | "sessions">;
  readonly #signed: SignedRequestVerifier;
  // A KeyObject, not a Buffer: createHmac would otherwise re-import the raw key on every request.
  readonly #hmacKey = createSecretKey(randomBytes(32));
  readonly #proven = new Map<string, Proven>();
  readonly #inflight = new Map<string, Promise<Caller | AuthenticationFailure>>();
  readonly #lastRecorded = new Map<string, number>();
  readonly #rootDigest: Buffer | undefined;
  readonly #failures: RateLimiter;
  /** Addresses that spent their failure budget, until when (bounded like the limiter's buckets). */
  readonly #blockedUntil = new Map<string, number>();
  readonly stats = { verifications: 0, cacheHits: 0, failures: 0 };

  constructor(options: AuthenticatorOptions) {
    this.#opts = { now: Date.now, cacheTtlMs: 5 * 60_000, maxCachedKeys: 10_000, lastUsedResolutionMs: 60_000, ...options };
    if (options.root.kind === "configured") this.#rootDigest = this.#digest(options.root.secretAccessKey);
    const { burst, perSecond } = options.failures ?? { burst: 20, perSecond: 1 };
    this.#failures = new RateLimiter({ burst, ratePerSecond: perSecond, now: this.#opts.now });
    const { store, accountId, root, now, cacheTtlMs, maxCachedKeys } = this.#opts;
    this.#signed = new SignedRequestVerifier({ store, accountId, root, now, cacheTtlMs, maxCachedKeys, ...(options.sessionTokens ? { sessionTokens: options.sessionTokens } : {}) });
  }

  /** SigV4 (Authorization header or presigned query): verified with the key's sealed secret. */
  async authenticateSigned(request: SignableRequest, sourceAddress = "unknown"): Promise<Caller | AuthenticationFailure> {
    const blockedUntil = this.#blockedUntil.get(sourceAddress);
    const now = this.#opts.now();
    if (blockedUntil !== undefined && blockedUntil > now) return this.#fail(throttled(blockedUntil - now), undefined);
    const result = await this.#signed.verify(request);
    if (result instanceof AuthenticationFailure) return this.#fail(result, result.code === "IncompleteSignature" ? undefined : sourceAddress);
    this.#recordUse(result.caller, this.#opts.now());
    return result.caller;
  }

  get signedStats(): { readonly lookups: number; readonly cacheHits: number } {
    return this.#signed.stats;
  }

  /**
   * `sourceAddress` keys the failed-attempt budget. A key whose secret was already proven in
   * this process passes even from a throttled address: only unproven secrets cost a scrypt.
   */
  async authenticate(authorization: string | null | undefined, sourceAddress = "unknown", sessionToken?: string | null): Promise<Caller | AuthenticationFailure> {
    const known = this.authenticateInMemory(authorization, sourceAddress);
    if (known) return known;
    const presented = parseAuthorizationHeader(authorization) as PresentedCredentials;
    const { accessKeyId, secretAccessKey } = presented;
    if (this.#opts.sessions && accessKeyId.startsWith("ASIA")) {
      const session = await this.#opts.sessions.authenticate(accessKeyId, secretAccessKey, sessionToken);
      return session instanceof AuthenticationFailure ? this.#fail(session, sourceAddress) : session;
    }
    const digest = this.#digest(secretAccessKey);
    const now = this.#opts.now();
    const blockedUntil = this.#blockedUntil.get(sourceAddress);
    if (blockedUntil !== undefined) {
      if (blockedUntil > now) return this.#fail(throttled(blockedUntil - now), undefined);
      this.#blockedUntil.delete(sourceAddress);
    }
    // Concurrent first requests with the same key and secret share one verification.
    const flightKey = `${accessKeyId}:${digest.toString("base64")}`;
    let flight = this.#inflight.get(flightKey);
    if (!flight) {
      flight = this.#verify(accessKeyId, secretAccessKey, digest).finally(() => this.#inflight.delete(flightKey));
      this.#inflight.set(flightKey, flight);
    }
    const result = await flight;
    if (result instanceof AuthenticationFailure) return this.#fail(result, sourceAddress);
    this.#recordUse(result, this.#opts.now());
    return result;
  }

  /**
   * What can be answered without waiting — no header, a malformed one, `Anonymous`, or a key
   * whose secret this process has proven (one HMAC and a constant-time comparison) — or
   * undefined when the answer needs a verification or a lookup (`authenticate` does those). The
   * HTTP transport calls this first, so a known key costs no promise (issue 17).
   */
  authenticateInMemory(authorization: string | null | undefined, sourceAddress = "unknown"): Caller | AuthenticationFailure | undefined {
    // AssumeRoleWithWebIdentity needs no credentials: a client says so explicitly (see AnonymousCaller).
    if (authorization?.trim() === "Anonymous") return { kind: "anonymous", arn: "anonymous", accountId: this.#opts.accountId, accessKeyId: "" };
    const presented = parseAuthorizationHeader(authorization);
    // A missing or malformed header costs nothing to refuse, so it does not spend the budget.
    if (presented instanceof AuthenticationFailure) return this.#fail(presented, undefined);
    const { accessKeyId, secretAccessKey } = presented;
    if (this.#opts.sessions && accessKeyId.startsWith("ASIA")) return undefined;
    const now = this.#opts.now();
    const proven = this.#proven.get(accessKeyId);
    if (!proven || proven.expiresAt <= now) return undefined;
    if (!timingSafeEqual(proven.digest, this.#digest(secretAccessKey))) return this.#fail(secretMismatch(), sourceAddress);
    this.stats.cacheHits++;
    this.#recordUse(proven.caller, now);
    return proven.caller;
  }

  /** Drops what committed events made stale: call with every committed batch. */
  invalidate(events: readonly StoredEvent[]): void {
    this.#signed.invalidate(events);
    for (const event of events) {
      switch (event.type) {
        case "AccessKeyStatusChanged":
        case "AccessKeyDeleted":
          this.#proven.delete(event.data.accessKeyId);
          break;
        case "UserUpdated":
        case "UserDeleted":
          for (const [keyId, entry] of this.#proven) if (entry.userId === event.data.userId) this.#proven.delete(keyId);
          break;
        default:
          break;
      }
    }
  }

  /** Whether a caller authenticated earlier still holds a usable key (live subscriptions re-check this). */
  async stillAuthenticated(caller: Caller): Promise<boolean> {
    if (caller.kind === "root") return true;
    if (caller.kind === "session") return this.#opts.sessions?.stillValid(caller) ?? false;
    if (caller.kind === "anonymous") return false;
    const cached = this.#proven.get(caller.accessKeyId);
    if (cached && cached.expiresAt > this.#opts.now()) return true;
    const key = await this.#opts.store.findUserKey(caller.accessKeyId);
    return key !== undefined && key.status === "Active" && key.user.arn === caller.arn;
  }

  async #verify(accessKeyId: string, secret: string, digest: Buffer): Promise<Caller | AuthenticationFailure> {
    const { root, store, accountId } = this.#opts;
    if (accessKeyId === root.accessKeyId) {
      const caller: Caller = { kind: "root", arn: rootArn(accountId), accountId, accessKeyId };
      const ok = this.#rootDigest ? timingSafeEqual(this.#rootDigest, digest) : await this.#scrypt(secret, (root as { secretHash: string }).secretHash);
      if (!ok) return secretMismatch();
      this.#remember(accessKeyId, { digest, caller, expiresAt: this.#opts.now() + this.#opts.cacheTtlMs });
      return caller;
    }
    const key = await store.findUserKey(accessKeyId);
    // Unknown, deleted, inactive or another account's key: AWS answers all alike.
    if (!key || key.status !== "Active" || key.user.accountId !== accountId) return invalidKeyId();
    if (!(await this.#scrypt(secret, key.secretHash))) return secretMismatch();
    const caller: Caller = { kind: "user", arn: key.user.arn, accountId, userId: key.user.id, userName: key.user.userName, accessKeyId };
    this.#remember(accessKeyId, { digest, caller, userId: key.user.id, expiresAt: this.#opts.now() + this.#opts.cacheTtlMs });
    return caller;
  }

  #scrypt(secret: string, hash: string): Promise<boolean> {
    this.stats.verifications++;
    return verifySecret(secret, hash);
  }

  #remember(accessKeyId: string, entry: Proven): void {
    if (this.#proven.size >= this.#opts.maxCachedKeys) {
      // Oldest insertion first: Map iteration order.
      const oldest = this.#proven.keys().next().value;
      if (oldest !== undefined) this.#proven.delete(oldest);
    }
    this.#proven.set(accessKeyId, entry);
  }

  #recordUse(caller: Caller, now: number): void {
    const last = this.#lastRecorded.get(caller.accessKeyId) ?? 0;
    if (now - last < this.#opts.lastUsedResolutionMs) return;
    this.#lastRecorded.set(caller.accessKeyId, now);
    if (this.#lastRecorded.size > this.#opts.maxCachedKeys) this.#lastRecorded.clear();
    this.#opts.store.recordUse(caller.accessKeyId, new Date(now), caller.kind === "root").catch((err) => this.#opts.onError?.(err));
  }

  #fail(failure: AuthenticationFailure, sourceAddress: string | undefined): AuthenticationFailure {
    this.stats.failures++;
    if (sourceAddress !== undefined) {
      const budget = this.#failures.take(sourceAddress);
      if (!budget.allowed) {
        if (this.#blockedUntil.size >= this.#opts.maxCachedKeys) this.#blockedUntil.clear();
        this.#blockedUntil.set(sourceAddress, this.#opts.now() + budget.retryAfterMs);
      }
    }
    return failure;
  }

  #digest(secret: string): Buffer {
    return createHmac("sha256", this.#hmacKey).update(secret, "utf8").digest();
  }
}

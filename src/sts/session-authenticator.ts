import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { RoleSession } from "../generated/prisma/client.js";
import type { SessionCaller } from "../auth/caller.js";
import { AuthenticationFailure, expiredToken, invalidKeyId, secretMismatch } from "../auth/authentication-failure.js";
import { verifySecret } from "../auth/secret-hash.js";
import { sessionCallerOf } from "./session-grant-of.js";
import type { SessionStore } from "./session-store.js";
import { tokenDigest } from "./session-material.js";

export interface SessionLookup {
  readonly row: RoleSession;
  readonly caller: SessionCaller;
}

/**
 * Authenticates temporary credentials (ASIA… id, secret, session token). The token is required
 * (AWS: requests with temporary credentials must carry X-Amz-Security-Token); an unknown id or
 * a wrong token is InvalidClientTokenId, a session past its expiration ExpiredToken.
 *
 * `lookup` is the part a SigV4 verifier can call: it proves the token and the expiry and gives
 * the caller; the verifier then checks the signature with the session's secret.
 */
export class SessionAuthenticator {
  readonly #hmacKey = randomBytes(32);
  /** Proven (secret, token) digests per session id, until the session expires. */
  readonly #proven = new Map<string, { digest: Buffer; caller: SessionCaller }>();

  constructor(
    private readonly store: SessionStore,
    private readonly accountId: string,
    private readonly now: () => Date = () => new Date(),
    private readonly maxCached = 10_000,
  ) {}

  async lookup(accessKeyId: string, sessionToken: string | null | undefined): Promise<SessionLookup | AuthenticationFailure> {
    if (!sessionToken) return invalidKeyId();
    const row = await this.store.find(accessKeyId);
    if (!row || row.accountId !== this.accountId) return invalidKeyId();
    const presented = Buffer.from(tokenDigest(sessionToken), "hex");
    const stored = Buffer.from(row.tokenDigest, "hex");
    if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return invalidKeyId();
    if (row.expiresAt.getTime() <= this.now().getTime()) return expiredToken();
    return { row, caller: sessionCallerOf(row) };
  }

  /**
   * For the SigV4 verifier (src/auth/signed-authentication.ts, SessionTokenLookup): the session's
   * secret and caller once its token and expiry are proven; a session issued before secrets were
   * sealed can only use HTTP Basic.
   */
  async signing(accessKeyId: string, sessionToken: string): Promise<{ readonly secretAccessKey: string; readonly caller: SessionCaller } | AuthenticationFailure> {
    const found = await this.lookup(accessKeyId, sessionToken);
    if (found instanceof AuthenticationFailure) return found;
    const secretAccessKey = this.store.openSecret(found.row);
    return secretAccessKey === undefined ? invalidKeyId() : { secretAccessKey, caller: found.caller };
  }

  async authenticate(accessKeyId: string, secret: string, sessionToken: string | null | undefined): Promise<SessionCaller | AuthenticationFailure> {
    if (!sessionToken) return invalidKeyId();
    const digest = createHmac("sha256", this.#hmacKey).update(`${secret}\n${sessionToken}`, "utf8").digest();
    const proven = this.#proven.get(accessKeyId);
    if (proven && timingSafeEqual(proven.digest, digest)) {
      if (proven.caller.session.expiresAt.getTime() <= this.now().getTime()) {
        this.#proven.delete(accessKeyId);
        return expiredToken();
      }
      return proven.caller;
    }
    const found = await this.lookup(accessKeyId, sessionToken);
    if (found instanceof AuthenticationFailure) return found;
    if (!(await verifySecret(secret, found.row.secretHash))) return secretMismatch();
    if (this.#proven.size >= this.maxCached) this.#proven.clear();
    this.#proven.set(accessKeyId, { digest, caller: found.caller });
    return found.caller;
  }

  /** Live subscriptions re-check this: a session ends at its expiration. */
  stillValid(caller: SessionCaller): boolean {
    return caller.session.expiresAt.getTime() > this.now().getTime();
  }
}

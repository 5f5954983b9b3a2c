import { timingSafeEqual } from "node:crypto";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { amzDateMillis, expectedSignature, incompleteSignature, parseSignedRequest, signingKey, type SignableRequest, type SignedRequestParts } from "../aws/sigv4.js";
import { AuthenticationFailure, invalidKeyId } from "./authentication-failure.js";
import type { RootKeySource } from "./authenticator.js";
import { rootArn, type Caller } from "./caller.js";
import type { CredentialStore } from "./credential-store.js";

/** The services a signature may be scoped to: IAM and STS, any region (IAM is global; regions are accepted as AWS does). */
const signableServices = new Set(["iam", "sts"]);
/** AWS refuses a signature whose X-Amz-Date is more than 15 minutes from its clock, either way. */
const maxSkewMs = 15 * 60_000;

/**
 * Temporary credentials (X-Amz-Security-Token): where the STS work plugs in. Given the session
 * token and the access key id it was issued with, it answers the session's secret and caller,
 * or undefined for a token it does not know. Until one is configured, every session token is
 * refused with InvalidClientTokenId (as AWS refuses an unknown one).
 */
export type SessionTokenLookup = (accessKeyId: string, sessionToken: string) => Promise<{ readonly secretAccessKey: string; readonly caller: Caller } | AuthenticationFailure | undefined>;

interface SigningEntry {
  readonly secret: string;
  readonly caller: Caller;
  readonly userId?: string;
  readonly expiresAt: number;
  /** Derived signing keys by `date/region/service`: four HMACs saved per request. */
  readonly keys: Map<string, Buffer>;
}

export interface SignedVerifierOptions {
  readonly store: CredentialStore;
  readonly accountId: string;
  readonly root: RootKeySource;
  readonly now: () => number;
  readonly cacheTtlMs: number;
  readonly maxCachedKeys: number;
  readonly sessionTokens?: SessionTokenLookup;
}

export const signatureMismatch = () =>
  new AuthenticationFailure(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  );

/**
 * Verifies SigV4 signatures against the stored (sealed) secrets. The opened secret of a key is
 * kept in memory for `cacheTtlMs`, dropped at once by the events that revoke the key, like the
 * Basic scheme's proven digests.
 */
export class SignedRequestVerifier {
  readonly #entries = new Map<string, SigningEntry>();
  readonly stats = { lookups: 0, cacheHits: 0 };

  constructor(private readonly opts: SignedVerifierOptions) {}

  async verify(request: SignableRequest): Promise<{ readonly caller: Caller; readonly parts: SignedRequestParts } | AuthenticationFailure> {
    const parts = parseSignedRequest(request);
    if (parts instanceof AuthenticationFailure) return parts;
    if (!signableServices.has(parts.service)) return incompleteSignature(`Credential should be scoped to correct service: 'iam' or 'sts', not '${parts.service}'.`);
    if (parts.amzDate.slice(0, 8) !== parts.scopeDate) return incompleteSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts.scopeDate}' != '${parts.amzDate.slice(0, 8)}'`);
    const stale = this.#clockRefusal(parts);
    if (stale) return stale;
    const entry = parts.sessionToken ? await this.#session(parts.accessKeyId, parts.sessionToken) : await this.#entry(parts.accessKeyId);
    if (entry instanceof AuthenticationFailure) return entry;
    const scope = `${parts.scopeDate}/${parts.region}/${parts.service}`;
    let key = entry.keys.get(scope);
    if (!key) {
      key = signingKey(entry.secret, parts.scopeDate, parts.region, parts.service);
      if (entry.keys.size > 16) entry.keys.clear();
      entry.keys.set(scope, key);
    }
    const expected = Buffer.from(expectedSignature(key, parts, request), "utf8");
    if (!timingSafeEqual(expected, Buffer.from(parts.signature, "utf8"))) return signatureMismatch();
    return { caller: entry.caller, parts };
  }

  /** Drops what committed events made stale (the same events as the Basic scheme's cache). */
  invalidate(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (event.type === "AccessKeyStatusChanged" || event.type === "AccessKeyDeleted") this.#entries.delete(event.data.accessKeyId);
      else if (event.type === "UserUpdated" || event.type === "UserDeleted") {
        for (const [keyId, entry] of this.#entries) if (entry.userId === event.data.userId) this.#entries.delete(keyId);
      }
    }
  }

  #clockRefusal(parts: SignedRequestParts): AuthenticationFailure | undefined {
    const now = this.opts.now();
    const signedAt = amzDateMillis(parts.amzDate);
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    if (parts.presigned && parts.expiresSeconds !== undefined) {
      if (now > signedAt + parts.expiresSeconds * 1000) return new AuthenticationFailure("RequestExpired", `Request has expired: signed at ${parts.amzDate}, valid for ${parts.expiresSeconds} s.`);
    } else if (signedAt < now - maxSkewMs) {
      return new AuthenticationFailure("SignatureDoesNotMatch", `Signature expired: ${parts.amzDate} is now earlier than ${stamp(now - maxSkewMs)} (${stamp(now)} - 15 min.)`);
    }
    if (signedAt > now + maxSkewMs) return new AuthenticationFailure("SignatureDoesNotMatch", `Signature not yet current: ${parts.amzDate} is still later than ${stamp(now + maxSkewMs)} (${stamp(now)} + 15 min.)`);
    return undefined;
  }

  async #session(accessKeyId: string, sessionToken: string): Promise<SigningEntry | AuthenticationFailure> {
    const found = this.opts.sessionTokens ? await this.opts.sessionTokens(accessKeyId, sessionToken) : undefined;
    if (!found) return invalidKeyId();
    if (found instanceof AuthenticationFailure) return found;
    // Not cached: the lookup owns expiry and revocation of its sessions.
    return { secret: found.secretAccessKey, caller: found.caller, expiresAt: 0, keys: new Map() };
  }

  async #entry(accessKeyId: string): Promise<SigningEntry | AuthenticationFailure> {
    const now = this.opts.now();
    const cached = this.#entries.get(accessKeyId);
    if (cached && cached.expiresAt > now) {
      this.stats.cacheHits++;
      return cached;
    }
    this.stats.lookups++;
    const entry = await this.#load(accessKeyId, now);
    if (entry instanceof AuthenticationFailure) return entry;
    if (this.#entries.size >= this.opts.maxCachedKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(accessKeyId, entry);
    return entry;
  }

  async #load(accessKeyId: string, now: number): Promise<SigningEntry | AuthenticationFailure> {
    const { root, store, accountId, cacheTtlMs } = this.opts;
    const expiresAt = now + cacheTtlMs;
    if (accessKeyId === root.accessKeyId) {
      const caller: Caller = { kind: "root", arn: rootArn(accountId), accountId, accessKeyId };
      const secret = root.kind === "configured" ? root.secretAccessKey : store.open(accessKeyId, root.sealedSecret ?? null);
      if (secret === undefined) return needsRotation(accessKeyId);
      return { secret, caller, expiresAt, keys: new Map() };
    }
    const key = await store.findUserKey(accessKeyId);
    if (!key || key.status !== "Active" || key.user.accountId !== accountId) return invalidKeyId();
    const secret = store.open(accessKeyId, key.sealedSecret);
    if (secret === undefined) return needsRotation(accessKeyId);
    const caller: Caller = { kind: "user", arn: key.user.arn, accountId, userId: key.user.id, userName: key.user.userName, accessKeyId };
    return { secret, caller, userId: key.user.id, expiresAt, keys: new Map() };
  }
}

/** A key made before secrets were sealed: only its hash is stored, so it cannot sign (Basic still works). */
function needsRotation(accessKeyId: string): AuthenticationFailure {
  return new AuthenticationFailure(
    "InvalidClientTokenId",
    `The security token included in the request is invalid: access key ${accessKeyId} predates stored signing secrets and authenticates with HTTP Basic only. Rotate it (CreateAccessKey, then DeleteAccessKey) to sign requests with SigV4.`,
  );
}

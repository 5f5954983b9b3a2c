import type { PrismaClient, RoleSession } from "../generated/prisma/client.js";
import type { SessionGrant } from "../authz/session-grant.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { sessionCallerOf } from "./session-grant-of.js";
import { isAssumedRoleArn } from "./session-issue.js";
import type { Caller } from "../auth/caller.js";
import type { SecretBox } from "../auth/secret-box.js";
import type { ContextEntry } from "../policy/request.js";
import type { AssumeRoleInput } from "./assume-role-input.js";
import { assumeRole, type IdentityDecider, type IssuedSession } from "./assume-role.js";
import { SessionAuthenticator } from "./session-authenticator.js";
import { SessionStore } from "./session-store.js";
import { OidcKeys, type OidcKeysOptions } from "./oidc-keys.js";
import { assumeRoleWithWebIdentity, type WebIdentityInput, type WebIdentitySession } from "./web-identity.js";

/** STS in one object: issuing sessions, proving their credentials, listing them (the composition root builds one). */
export class StsService {
  readonly store: SessionStore;
  /** What src/auth/authenticator.ts (Basic) and a SigV4 verifier (its `lookup`) call. */
  readonly authenticator: SessionAuthenticator;
  /** OpenID Connect issuers' keys (discovery + JWKS), cached per issuer. */
  readonly oidcKeys: OidcKeys;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly accountId: string,
    private readonly now: () => Date = () => new Date(),
    oidc: OidcKeysOptions = {},
    box?: SecretBox,
  ) {
    this.store = new SessionStore(prisma, box);
    this.authenticator = new SessionAuthenticator(this.store, accountId, now);
    this.oidcKeys = new OidcKeys({ now: () => now().getTime(), ...oidc });
  }

  assumeRoleWithWebIdentity(origin: readonly ContextEntry[], input: WebIdentityInput): Promise<WebIdentitySession> {
    return assumeRoleWithWebIdentity({ prisma: this.prisma, sessions: this.store, accountId: this.accountId, now: this.now, keys: this.oidcKeys }, origin, input);
  }

  assumeRole(caller: Caller, origin: readonly ContextEntry[], input: AssumeRoleInput, identity: IdentityDecider): Promise<IssuedSession> {
    return assumeRole({ prisma: this.prisma, sessions: this.store, accountId: this.accountId, now: this.now }, caller, origin, input, identity);
  }

  /**
   * Who a decision about `principalArn` is made for: a role session's ARN
   * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) is decided as that session — its
   * role's policies within its session policies, its tags and keys (src/authz/session-grant.ts) —
   * taking the newest session of that ARN valid at `at` (SessionStore.byAssumedRoleArn); any other
   * ARN is itself. NoSuchEntity when no session of that ARN had been issued by `at`.
   */
  async principalOf(principalArn: string, at: Date = this.now()): Promise<{ principalArn: string; session?: SessionGrant }> {
    if (!isAssumedRoleArn(principalArn)) return { principalArn };
    const row = await this.store.byAssumedRoleArn(principalArn, at);
    if (!row || row.accountId !== this.accountId) throw new DomainError("NoSuchEntity", `The principal ${principalArn} cannot be found.`);
    const { session } = sessionCallerOf(row);
    return { principalArn: session.roleArn, session };
  }

  roleSessions(roleArn: string, limit?: number, activeAt?: Date): Promise<RoleSession[]> {
    return this.store.forRole(roleArn, limit, activeAt);
  }

  currentTime(): Date {
    return this.now();
  }
}

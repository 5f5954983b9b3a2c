// jose is loaded on the first AssumeRoleWithWebIdentity (~1 MB of heap and ~50 ms of start-up
// that a server which never federates does not pay for; issue 17 item 5).
import type { JWTPayload } from "jose";
import type { PrismaClient } from "../generated/prisma/client.js";
import { parsePrincipalArn } from "../authz/principal.js";
import { oidcProviderArn, oidcUrlKey } from "../domain/oidc-providers/decide.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { nameKey } from "../domain/shared/names.js";
import { parsePolicyDocument } from "../policy/parse.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { assumeRoleDecision, evaluateTrustPolicy } from "../policy/trust-policy.js";
import { DEFAULT_DURATION_SECONDS, checkAssumeRoleInput, checkPacked, packedPolicyPercent } from "./assume-role-input.js";
import { resolveSessionPolicies, type StsDeps } from "./assume-role.js";
import { requestTagContext } from "../authz/authorization-check.js";
import { OidcDiscoveryError, type OidcKeys } from "./oidc-keys.js";
import { claimedSession } from "./web-identity-claims.js";
import { issueSession, type IssuedSession } from "./session-issue.js";

export interface WebIdentityInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly webIdentityToken: string;
  readonly durationSeconds?: number | null;
  readonly policy?: string | null;
  readonly policyArns?: readonly string[] | null;
}

export interface WebIdentitySession extends IssuedSession {
  readonly subjectFromWebIdentityToken: string;
  readonly audience: string;
  readonly provider: string;
}

const invalidToken = (message: string) => new DomainError("InvalidIdentityToken", message);
const unverifiable = () =>
  invalidToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.");

/**
 * STS AssumeRoleWithWebIdentity (API reference; id_roles_providers_oidc): no iamgraph
 * credentials, only a JWT from an OpenID Connect provider registered in the account. The token's
 * signature is verified against the issuer's published keys (OidcKeys: discovery, JWKS, rotation),
 * its `iss` must be the provider's URL, an `aud` one of the provider's client ids, `exp` in the
 * future and `nbf` past; then the role's trust policy must allow the provider as `Federated`
 * principal, its conditions reading `<issuer>:aud` and `<issuer>:sub`. Bad tokens get
 * InvalidIdentityToken, ExpiredTokenException or IDPRejectedClaim, and nothing is issued.
 */
export async function assumeRoleWithWebIdentity(deps: StsDeps & { readonly keys: OidcKeys }, origin: readonly ContextEntry[], input: WebIdentityInput): Promise<WebIdentitySession> {
  checkAssumeRoleInput({ roleArn: input.roleArn, roleSessionName: input.roleSessionName, durationSeconds: input.durationSeconds ?? null, policy: input.policy ?? null, policyArns: input.policyArns ?? null });
  if (input.webIdentityToken.length < 4 || input.webIdentityToken.length > 20_000) {
    throw new DomainError("ValidationError", "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000");
  }
  const now = deps.now();
  const { decodeJwt } = await import("jose");
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(input.webIdentityToken);
  } catch {
    throw unverifiable();
  }
  if (typeof unverified.iss !== "string") throw unverifiable();
  const issuer = unverified.iss;
  const providerArn = oidcProviderArn(deps.accountId, issuer);
  const provider = await deps.prisma.oidcProvider.findFirst({ where: { arn: providerArn, accountId: deps.accountId } });
  if (!provider) throw invalidToken(`No OpenIDConnect provider found in your account for ${issuer}`);

  const claims = await verify(deps.keys, input.webIdentityToken, provider.url, now);
  const audiences = typeof claims.aud === "string" ? [claims.aud] : (claims.aud ?? []);
  const clientIds = provider.clientIds as string[];
  // AWS reads azp as the audience when the token has one (id_roles_providers_oidc, "aud").
  const audience = typeof claims["azp"] === "string" ? (claims["azp"] as string) : audiences.find((a) => clientIds.includes(a));
  if (audience === undefined || !clientIds.includes(audience)) throw invalidToken("Incorrect token audience");
  if (typeof claims.sub !== "string" || claims.sub === "") throw new DomainError("IDPRejectedClaim", "The token has no subject (sub) claim.");
  // Session tags and a source identity the provider asserts in the token (web-identity-claims.ts),
  // held to AssumeRole's rules for the same parameters.
  const claimed = claimedSession(claims);
  checkAssumeRoleInput({ roleArn: input.roleArn, roleSessionName: input.roleSessionName, tags: claimed.tags, transitiveTagKeys: claimed.transitiveTagKeys, sourceIdentity: claimed.sourceIdentity ?? null });

  const role = await findRole(deps.prisma, deps.accountId, input.roleArn);
  const trustDoc = role ? parsePolicyDocument(role.assumeRolePolicyDocument, "trust") : undefined;
  const notAuthorized = () => new DomainError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  if (!role || !trustDoc?.ok) throw notAuthorized();
  const key = oidcUrlKey(provider.url);
  const context = buildContext([
    { key: "aws:CurrentTime", type: "date", values: [now.toISOString()] },
    { key: "aws:EpochTime", type: "numeric", values: [String(Math.floor(now.getTime() / 1000))] },
    { key: "aws:FederatedProvider", type: "string", values: [provider.arn] },
    ...origin,
    { key: "sts:RoleSessionName", type: "string", values: [input.roleSessionName] },
    { key: `${key}:aud`, type: "string", values: [audience] },
    { key: `${key}:sub`, type: "string", values: [claims.sub] },
    ...(typeof claims["amr"] === "string" || Array.isArray(claims["amr"]) ? [{ key: `${key}:amr`, type: "stringList" as const, values: ([] as string[]).concat(claims["amr"] as string | string[]) }] : []),
    ...requestTagContext(claimed.tags),
    ...(claimed.transitiveTagKeys.length > 0 ? [{ key: "sts:TransitiveTagKeys", type: "stringList" as const, values: [...claimed.transitiveTagKeys] }] : []),
    ...(claimed.sourceIdentity !== undefined ? [{ key: "sts:SourceIdentity", type: "string" as const, values: [claimed.sourceIdentity] }] : []),
  ]);
  const trusts = (action: string) => assumeRoleDecision(evaluateTrustPolicy(trustDoc.document, { caller: { kind: "federated", provider: provider.arn }, action, context }), "none", true).allowed;
  if (!trusts("sts:AssumeRoleWithWebIdentity")) throw notAuthorized();
  // A token carrying tags needs sts:TagSession in the trust policy, one carrying a source identity sts:SetSourceIdentity (id_session-tags, id_credentials_temp_control-access_monitor).
  if ((claimed.tags.length > 0 || claimed.transitiveTagKeys.length > 0) && !trusts("sts:TagSession")) throw new DomainError("AccessDenied", "Not authorized to perform sts:TagSession");
  if (claimed.sourceIdentity !== undefined && !trusts("sts:SetSourceIdentity")) throw new DomainError("AccessDenied", "Not authorized to perform sts:SetSourceIdentity");

  const duration = input.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (duration > role.maxSessionDuration) throw new DomainError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const sessionPolicies = await resolveSessionPolicies(deps.prisma, input.policy ?? null, input.policyArns ?? []);
  const packedPolicySize = packedPolicyPercent(input.policy, input.policyArns ?? [], claimed.tags);
  checkPacked(packedPolicySize);
  const issued = await issueSession(deps, role, {
    sessionName: input.roleSessionName,
    via: "AssumeRoleWithWebIdentity",
    issuedBy: claims.sub,
    providerArn: provider.arn,
    ...(claimed.sourceIdentity !== undefined ? { sourceIdentity: claimed.sourceIdentity } : {}),
    sessionPolicies,
    tags: claimed.tags,
    transitiveTagKeys: claimed.transitiveTagKeys,
    chained: false,
    now,
    durationSeconds: duration,
    packedPolicySize,
  });
  // Provider: "For OpenID Connect ID tokens, this contains the value of the iss field" (AssumeRoleWithWebIdentity API reference).
  return { ...issued, subjectFromWebIdentityToken: claims.sub, audience, provider: provider.url };
}

async function findRole(prisma: PrismaClient, accountId: string, roleArn: string) {
  const parsed = parsePrincipalArn(roleArn);
  if (!parsed || parsed.type !== "role" || parsed.accountId !== accountId) return undefined;
  const role = await prisma.role.findUnique({ where: { accountId_roleNameKey: { accountId, roleNameKey: nameKey(parsed.name) } } });
  return role && role.arn === roleArn ? role : undefined;
}

async function verify(keys: OidcKeys, token: string, issuer: string, now: Date): Promise<JWTPayload> {
  const { errors: joseErrors, jwtVerify } = await import("jose");
  let getKey;
  try {
    getKey = await keys.keysFor(issuer);
  } catch (err) {
    if (err instanceof OidcDiscoveryError) {
      throw new DomainError("IDPCommunicationError", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
    }
    throw err;
  }
  try {
    const { payload } = await jwtVerify(token, getKey, { issuer, currentDate: now, requiredClaims: ["exp", "aud"] });
    return payload;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      const exp = typeof err.payload.exp === "number" ? err.payload.exp : 0;
      throw new DomainError("ExpiredTokenException", `Token expired: current date/time ${Math.floor(now.getTime() / 1000)} must be before the expiration date/time ${exp}`);
    }
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === "nbf") throw new DomainError("IDPRejectedClaim", "The token is not valid yet (nbf is in the future).");
      if (err.claim === "iss") throw invalidToken(`No OpenIDConnect provider found in your account for ${String(err.payload.iss)}`);
      throw new DomainError("IDPRejectedClaim", `The token's ${err.claim} claim was rejected: ${err.reason}.`);
    }
    if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JOSEError && err.code === "ERR_JOSE_GENERIC") {
      throw new DomainError("IDPCommunicationError", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
    }
    // A bad signature, a key the issuer does not publish (or no longer does), a malformed token.
    throw unverifiable();
  }
}

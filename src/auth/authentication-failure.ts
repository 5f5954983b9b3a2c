/**
 * Why a request could not be authenticated, with the codes AWS uses for the same situations
 * (a deactivated or deleted key is InvalidClientTokenId, as in AWS: the answer does not say
 * which). Answered with HTTP 401 before the request reaches GraphQL.
 */
export type AuthenticationFailureCode = "MissingAuthenticationToken" | "IncompleteSignature" | "InvalidClientTokenId" | "SignatureDoesNotMatch" | "RequestExpired" | "Throttling" | "ExpiredToken";

export class AuthenticationFailure extends Error {
  constructor(
    readonly code: AuthenticationFailureCode,
    message: string,
    /** Throttling only: when to try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "AuthenticationFailure";
  }
}

export const missingToken = () => new AuthenticationFailure("MissingAuthenticationToken", "Request is missing Authentication Token");
export const invalidKeyId = () => new AuthenticationFailure("InvalidClientTokenId", "The security token included in the request is invalid.");
export const secretMismatch = () =>
  new AuthenticationFailure("SignatureDoesNotMatch", "The secret access key included in the request does not match the access key id. Check your secret access key.");
export const malformedHeader = () =>
  new AuthenticationFailure(
    "IncompleteSignature",
    "The Authorization header must be `Basic <base64 of AccessKeyId:SecretAccessKey>`.",
  );

/** Too many failed attempts from one address: answered (HTTP 429) without verifying anything. */
export const throttled = (retryAfterMs: number) => new AuthenticationFailure("Throttling", "Rate exceeded", retryAfterMs);

/** Temporary credentials (ASIA…) past their expiration (STS; src/sts/session-authenticator.ts). */
export const expiredToken = () => new AuthenticationFailure("ExpiredToken", "The security token included in the request is expired");

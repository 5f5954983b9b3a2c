/** The closed set of AWS IAM error codes iamgraph returns. */
export const errorCodes = [
  "NoSuchEntity",
  "EntityAlreadyExists",
  "DeleteConflict",
  "LimitExceeded",
  "MalformedPolicyDocument",
  "InvalidInput",
  "ConcurrentModification",
  "AccessDenied",
  "UnmodifiableEntity",
  // STS (issue 18): AssumeRole and AssumeRoleWithWebIdentity refusals, with AWS's codes.
  "ValidationError",
  "PackedPolicyTooLarge",
  "InvalidIdentityToken",
  "ExpiredTokenException",
  "IDPRejectedClaim",
  "IDPCommunicationError",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** A refusal the caller can act on. Thrown by deciders and the store; mapped once in the API. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const noSuchEntity = (message: string) => new DomainError("NoSuchEntity", message);
export const invalidInput = (message: string) => new DomainError("InvalidInput", message);

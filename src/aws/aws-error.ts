/**
 * An error as the Query API answers it: AWS's code, message, HTTP status and fault side
 * (`<Type>Sender</Type>` for the client's mistakes). Domain refusals keep their DomainError
 * code; the statuses are AWS's for each code (IAM API Reference, "Common Errors" and each
 * action's Errors section).
 */
const statusOf: Record<string, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  DeleteConflict: 409,
  LimitExceeded: 409,
  ConcurrentModification: 409,
  MalformedPolicyDocument: 400,
  InvalidInput: 400,
  ValidationError: 400,
  UnmodifiableEntity: 400,
  InvalidAction: 400,
  MissingAction: 400,
  // IAM API Reference, Common Errors: MalformedQueryString is a 404 there.
  MalformedQueryString: 404,
  RequestEntityTooLarge: 413,
  IncompleteSignature: 400,
  RequestExpired: 400,
  Throttling: 400,
  AccessDenied: 403,
  MissingAuthenticationToken: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  // STS (API Reference, each action's Errors): the web identity refusals and the packed size.
  PackedPolicyTooLarge: 400,
  InvalidIdentityToken: 400,
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  ServiceFailure: 500,
};

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AwsError";
  }

  get status(): number {
    return statusOf[this.code] ?? 400;
  }

  /** Sender for the client's mistakes, Receiver for ours. */
  get faultType(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

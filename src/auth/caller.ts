/**
 * Who made a request, as established by authentication (src/auth/authenticator.ts).
 *
 * The root principal (`arn:aws:iam::<account>:root`) is the account itself: as in AWS, no
 * identity policy applies to it and every operation is allowed. Every other caller is an IAM
 * user holding an active access key, and each operation it asks for is evaluated by the policy
 * engine against that user's effective permissions (src/api/authorization/).
 */
export type Caller = RootCaller | UserCaller;

export interface RootCaller {
  readonly kind: "root";
  /** `arn:aws:iam::<account>:root` */
  readonly arn: string;
  readonly accountId: string;
  readonly accessKeyId: string;
}

export interface UserCaller {
  readonly kind: "user";
  /** The user's ARN, with its path: what policies and AccessDenied messages name. */
  readonly arn: string;
  readonly accountId: string;
  readonly userId: string;
  readonly userName: string;
  readonly accessKeyId: string;
}

/** Facts about the transport that fill aws:SourceIp and aws:SecureTransport. */
export interface RequestOrigin {
  /** The peer's address (no proxy headers are trusted unless configured). */
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  readonly userAgent?: string;
}

export const rootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

import { DomainError } from "../domain/shared/domain-error.js";
import type { SessionGrant } from "../authz/session-grant.js";

/**
 * Who made a request, as established by authentication (src/auth/authenticator.ts).
 *
 * The root principal (`arn:aws:iam::<account>:root`) is the account itself: as in AWS, no
 * identity policy applies to it and every operation is allowed. Every other caller is an IAM
 * user holding an active access key, and each operation it asks for is evaluated by the policy
 * engine against that user's effective permissions (src/api/authorization/).
 */
export type Caller = RootCaller | UserCaller | SessionCaller | AnonymousCaller;

/**
 * A request that says it carries no credentials (`Authorization: Anonymous`): as in AWS, only
 * AssumeRoleWithWebIdentity may be called so (its token is the credential). Every other field
 * is refused: the anonymous principal holds no policy, and callerIdentity answers
 * MissingAuthenticationToken.
 */
export interface AnonymousCaller {
  readonly kind: "anonymous";
  readonly arn: "anonymous";
  readonly accountId: string;
  readonly accessKeyId: "";
}

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

/**
 * A role session: temporary credentials (ASIA…) issued by AssumeRole (src/sts/). Its ARN is the
 * assumed-role ARN `arn:aws:sts::<account>:assumed-role/<role>/<session>` — what AccessDenied
 * messages and events name — while policies are evaluated as the role's, intersected with the
 * session's policies (src/authz/session-grant.ts).
 */
export interface SessionCaller {
  readonly kind: "session";
  readonly arn: string;
  readonly accountId: string;
  /** `AROA…:<session name>`: aws:userid and GetCallerIdentity's UserId. */
  readonly userId: string;
  readonly accessKeyId: string;
  readonly session: SessionGrant;
}

/** Facts about the transport that fill aws:SourceIp and aws:SecureTransport. */
export interface RequestOrigin {
  /** The peer's address (no proxy headers are trusted unless configured). */
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  readonly userAgent?: string;
}

export const rootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/**
 * Access-key operations name a user or, like AWS, default to the caller's own user. The root
 * principal's key is managed through configuration, not the API, so root must name a user.
 */
export function userNameOrCaller(userName: string | null | undefined, caller: Caller): string {
  if (userName != null) return userName;
  if (caller.kind === "user") return caller.userName;
  if (caller.kind === "session" || caller.kind === "anonymous") throw new DomainError("InvalidInput", "This caller has no user of its own: pass userName.");
  throw new DomainError("InvalidInput", "The root principal's key is managed through configuration (IAMGRAPH_ROOT_ACCESS_KEY_ID); pass userName to manage a user's keys.");
}

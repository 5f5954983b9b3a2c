import type { Role } from "../generated/prisma/client.js";
import { hashSecret } from "../auth/secret-hash.js";
import { newSessionAccessKeyId, newSessionSecret, newSessionToken, tokenDigest } from "./session-material.js";
import type { NewSessionRecord, SessionStore } from "./session-store.js";

/** What AssumeRole and AssumeRoleWithWebIdentity answer: the credentials are shown here only. */
export interface IssuedSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleId: string;
  readonly assumedRoleArn: string;
  readonly packedPolicySize: number;
  readonly sourceIdentity?: string;
}

/** What a caller asks for, as it is recorded; plus when, for how long, and the packed size. */
export interface SessionToIssue
  extends Pick<NewSessionRecord, "sessionName" | "via" | "issuedBy" | "providerArn" | "sourceIdentity" | "sessionPolicies" | "tags" | "transitiveTagKeys" | "chained"> {
  readonly now: Date;
  readonly durationSeconds: number;
  readonly packedPolicySize: number;
}

export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string) => `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

/** Whether an ARN names a role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) rather than a user or role. */
export const isAssumedRoleArn = (arn: string) => /^arn:aws:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/.test(arn);

/** Makes the credentials, records the session (its secret hashed and sealed, its token digested), and answers them once. */
export async function issueSession(deps: { readonly sessions: SessionStore }, role: Role, s: SessionToIssue): Promise<IssuedSession> {
  const secretAccessKey = newSessionSecret();
  const sessionToken = newSessionToken();
  const accessKeyId = newSessionAccessKeyId();
  const arn = assumedRoleArn(role.accountId, role.roleName, s.sessionName);
  const expiration = new Date(s.now.getTime() + s.durationSeconds * 1000);
  await deps.sessions.insert({
    accessKeyId,
    secretHash: await hashSecret(secretAccessKey),
    tokenDigest: tokenDigest(sessionToken),
    accountId: role.accountId,
    roleId: role.id,
    roleArn: role.arn,
    roleName: role.roleName,
    sessionName: s.sessionName,
    assumedRoleArn: arn,
    via: s.via,
    issuedBy: s.issuedBy,
    ...(s.providerArn !== undefined ? { providerArn: s.providerArn } : {}),
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
    sessionPolicies: s.sessionPolicies,
    tags: s.tags,
    transitiveTagKeys: s.transitiveTagKeys,
    chained: s.chained,
    issuedAt: s.now,
    expiresAt: expiration,
  }, secretAccessKey);
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration,
    assumedRoleId: `${role.id}:${s.sessionName}`,
    assumedRoleArn: arn,
    packedPolicySize: s.packedPolicySize,
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
  };
}

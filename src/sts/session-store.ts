import type { PrismaClient, RoleSession } from "../generated/prisma/client.js";
import type { SecretBox } from "../auth/secret-box.js";
import type { Tag } from "../domain/shared/tags.js";

/** A session policy as resolved when the session was issued: its name and document text. */
export interface StoredSessionPolicy {
  readonly name: string;
  readonly document: string;
}

export interface NewSessionRecord {
  readonly accessKeyId: string;
  readonly secretHash: string;
  readonly tokenDigest: string;
  readonly accountId: string;
  readonly roleId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly assumedRoleArn: string;
  readonly via: "AssumeRole" | "AssumeRoleWithWebIdentity";
  readonly issuedBy: string;
  readonly providerArn?: string;
  readonly sourceIdentity?: string;
  readonly sessionPolicies: readonly StoredSessionPolicy[];
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  readonly chained: boolean;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/**
 * The role_sessions table: every session STS issued, kept outside the event log (assuming a
 * role changes no IAM state) for authentication and for auditors (roleSessions). Rows are never
 * updated; an expired session stays as the record that it was held, until the retention period
 * has passed (src/sts/session-retention.ts).
 */
export class SessionStore {
  /** `box` seals each secret as well as hashing it, so SigV4-signed requests can be verified. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly box?: SecretBox,
  ) {}

  async insert(record: NewSessionRecord, secretAccessKey: string): Promise<void> {
    const { providerArn, sourceIdentity, sessionPolicies, tags, transitiveTagKeys, ...rest } = record;
    await this.prisma.roleSession.create({
      data: {
        ...rest,
        sealedSecret: this.box?.seal(secretAccessKey, record.accessKeyId) ?? null,
        providerArn: providerArn ?? null,
        sourceIdentity: sourceIdentity ?? null,
        sessionPolicies: sessionPolicies.map((p) => ({ name: p.name, document: p.document })),
        tags: tags.map((t) => ({ key: t.key, value: t.value })),
        transitiveTagKeys: [...transitiveTagKeys],
      },
    });
  }

  /** The session's secret, for a SigV4 verifier; undefined for a session sealed by no box. */
  openSecret(row: RoleSession): string | undefined {
    return row.sealedSecret && this.box ? this.box.open(row.sealedSecret, row.accessKeyId) : undefined;
  }

  find(accessKeyId: string): Promise<RoleSession | null> {
    return this.prisma.roleSession.findUnique({ where: { accessKeyId } });
  }

  /**
   * The session an assumed-role ARN names at `at`: the newest one valid then; when none was, the
   * newest issued before (expired by then). Session names may be reused, so several sessions can
   * share an ARN over time — and at once, in which case the newest is the one asked about.
   */
  async byAssumedRoleArn(assumedRoleArn: string, at: Date): Promise<RoleSession | null> {
    const issued = { assumedRoleArn, issuedAt: { lte: at } };
    const active = await this.prisma.roleSession.findFirst({ where: { ...issued, expiresAt: { gt: at } }, orderBy: { issuedAt: "desc" } });
    return active ?? this.prisma.roleSession.findFirst({ where: issued, orderBy: { issuedAt: "desc" } });
  }

  /** Deletes the records of sessions that expired before `cutoff` (src/sts/session-retention.ts); how many. */
  async pruneExpiredBefore(cutoff: Date): Promise<number> {
    return (await this.prisma.roleSession.deleteMany({ where: { expiresAt: { lt: cutoff } } })).count;
  }

  /** A role's sessions, newest first; with `activeAt`, only those valid at that moment (issued, not yet expired). */
  forRole(roleArn: string, limit = 100, activeAt?: Date): Promise<RoleSession[]> {
    const active = activeAt ? { issuedAt: { lte: activeAt }, expiresAt: { gt: activeAt } } : {};
    return this.prisma.roleSession.findMany({ where: { roleArn, ...active }, orderBy: { issuedAt: "desc" }, take: limit });
  }
}

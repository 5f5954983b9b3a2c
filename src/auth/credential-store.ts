import type { PrismaClient } from "../generated/prisma/client.js";
import type { Tx } from "../db/transaction.js";

/** What the authenticator needs to know about a user's key. */
export interface StoredUserKey {
  readonly accessKeyId: string;
  readonly secretHash: string;
  readonly status: string;
  readonly user: { readonly id: string; readonly userName: string; readonly arn: string; readonly accountId: string };
}

/**
 * The secret hashes: the one piece of iamgraph's state that is not in the event log, on
 * purpose. User keys' hashes are written in the transaction that appends AccessKeyCreated and
 * removed with AccessKeyDeleted; the root key's hash is written once at bootstrap.
 */
export class CredentialStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** A user key with its hash, status and owner; undefined for unknown or deleted keys. */
  async findUserKey(accessKeyId: string): Promise<StoredUserKey | undefined> {
    const [credential, key] = await Promise.all([
      this.prisma.accessKeyCredential.findUnique({ where: { accessKeyId } }),
      this.prisma.accessKey.findUnique({
        where: { accessKeyId },
        select: { status: true, user: { select: { id: true, userName: true, arn: true, accountId: true } } },
      }),
    ]);
    if (!credential || !key) return undefined;
    return { accessKeyId, secretHash: credential.secretHash, status: key.status, user: key.user };
  }

  async findRootKey(): Promise<{ accessKeyId: string; secretHash: string } | undefined> {
    const row = await this.prisma.rootCredential.findUnique({ where: { id: 1 } });
    return row ? { accessKeyId: row.accessKeyId, secretHash: row.secretHash } : undefined;
  }

  /** Stores the root key unless one exists; false when another process stored one first. */
  async storeRootKeyIfAbsent(accessKeyId: string, secretHash: string, at: Date): Promise<boolean> {
    const inserted = await this.prisma.rootCredential.createMany({ data: [{ id: 1, accessKeyId, secretHash, createdAt: at }], skipDuplicates: true });
    return inserted.count === 1;
  }

  /** Last use is telemetry (GetAccessKeyLastUsed), kept here rather than as one event per request. */
  async recordUse(accessKeyId: string, at: Date, root: boolean): Promise<void> {
    if (root) await this.prisma.rootCredential.updateMany({ where: { accessKeyId }, data: { lastUsedAt: at } });
    else await this.prisma.accessKeyCredential.updateMany({ where: { accessKeyId }, data: { lastUsedAt: at } });
  }

  /**
   * Which of these keys have a stored secret. A key imported with a log (`events import`) has
   * none — secrets never travel — so it is listed but cannot authenticate.
   */
  async withSecret(accessKeyIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.prisma.accessKeyCredential.findMany({ where: { accessKeyId: { in: [...accessKeyIds] } }, select: { accessKeyId: true } });
    return new Set(rows.map((r) => r.accessKeyId));
  }

  async lastUsed(accessKeyId: string): Promise<Date | null> {
    const row = await this.prisma.accessKeyCredential.findUnique({ where: { accessKeyId }, select: { lastUsedAt: true } });
    return row?.lastUsedAt ?? null;
  }
}

/** In the command's transaction, beside AccessKeyCreated. */
export async function storeSecretHash(tx: Tx, accessKeyId: string, secretHash: string, at: Date): Promise<void> {
  await tx.accessKeyCredential.create({ data: { accessKeyId, secretHash, createdAt: at } });
}

/** In the command's transaction, beside AccessKeyDeleted. */
export async function deleteSecretHash(tx: Tx, accessKeyId: string): Promise<void> {
  await tx.accessKeyCredential.deleteMany({ where: { accessKeyId } });
}

import type { PrismaClient } from "../generated/prisma/client.js";
import type { Tx } from "../db/transaction.js";
import type { SecretBox } from "./secret-box.js";

/** What the authenticator needs to know about a user's key. */
export interface StoredUserKey {
  readonly accessKeyId: string;
  readonly secretHash: string;
  /** The secret sealed under the master key (SecretBox); null for a key made before secrets were sealed (Basic only). */
  readonly sealedSecret: string | null;
  readonly status: string;
  readonly user: { readonly id: string; readonly userName: string; readonly arn: string; readonly accountId: string };
}

/**
 * The secrets — a slow hash (Basic) and the secret sealed under the master key (SigV4): the one
 * piece of iamgraph's state that is not in the event log, on purpose. User keys' rows are
 * written in the transaction that appends AccessKeyCreated and removed with AccessKeyDeleted;
 * the root key's row is written once at bootstrap.
 */
export class CredentialStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** Seals and opens secrets; absent only where nothing signs (some tests). */
    readonly box?: SecretBox,
  ) {}

  /** A new key's stored secret: its hash, and its sealed form when a master key is at hand. */
  sealed(accessKeyId: string, secret: string): string | null {
    return this.box ? this.box.seal(secret, accessKeyId) : null;
  }

  /** The secret of a key row, for SigV4; undefined for a hash-only (pre-sealing) key. */
  open(accessKeyId: string, sealedSecret: string | null): string | undefined {
    if (sealedSecret === null) return undefined;
    if (!this.box) throw new Error("a sealed secret was found but this process has no master key");
    return this.box.open(sealedSecret, accessKeyId);
  }

  /** Keys that can only use Basic until rotated: made before secrets were sealed. */
  async hashOnlyKeys(): Promise<string[]> {
    const rows = await this.prisma.accessKeyCredential.findMany({ where: { sealedSecret: null }, select: { accessKeyId: true }, orderBy: { accessKeyId: "asc" } });
    return rows.map((r) => r.accessKeyId);
  }

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
    return { accessKeyId, secretHash: credential.secretHash, sealedSecret: credential.sealedSecret, status: key.status, user: key.user };
  }

  async findRootKey(): Promise<{ accessKeyId: string; secretHash: string; sealedSecret: string | null } | undefined> {
    const row = await this.prisma.rootCredential.findUnique({ where: { id: 1 } });
    return row ? { accessKeyId: row.accessKeyId, secretHash: row.secretHash, sealedSecret: row.sealedSecret } : undefined;
  }

  /** Stores the root key unless one exists; false when another process stored one first. */
  async storeRootKeyIfAbsent(accessKeyId: string, secretHash: string, at: Date, sealedSecret: string | null = null): Promise<boolean> {
    const inserted = await this.prisma.rootCredential.createMany({ data: [{ id: 1, accessKeyId, secretHash, sealedSecret, createdAt: at }], skipDuplicates: true });
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

  /** Which of these keys have a sealed secret, i.e. can sign with SigV4 (the others: Basic only, until rotated). */
  async withSealedSecret(accessKeyIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.prisma.accessKeyCredential.findMany({ where: { accessKeyId: { in: [...accessKeyIds] }, sealedSecret: { not: null } }, select: { accessKeyId: true } });
    return new Set(rows.map((r) => r.accessKeyId));
  }

  async lastUsed(accessKeyId: string): Promise<Date | null> {
    const row = await this.prisma.accessKeyCredential.findUnique({ where: { accessKeyId }, select: { lastUsedAt: true } });
    return row?.lastUsedAt ?? null;
  }
}

/** In the command's transaction, beside AccessKeyCreated. */
export async function storeSecretHash(tx: Tx, accessKeyId: string, secretHash: string, at: Date, sealedSecret: string | null = null): Promise<void> {
  await tx.accessKeyCredential.create({ data: { accessKeyId, secretHash, sealedSecret, createdAt: at } });
}

/** In the command's transaction, beside AccessKeyDeleted. */
export async function deleteSecretHash(tx: Tx, accessKeyId: string): Promise<void> {
  await tx.accessKeyCredential.deleteMany({ where: { accessKeyId } });
}

import type { PrismaClient } from "../generated/prisma/client.js";
import { nameKey } from "../domain/shared/names.js";
import type { Tag } from "../domain/shared/tags.js";

/** A user or role as the authorizer sees it: identity plus what fills its request context. */
export interface Principal {
  readonly type: "user" | "role";
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly tags: readonly Tag[];
  readonly boundaryArn: string | null;
}

/** Parses `arn:aws:iam::<account>:user<path><name>` (or role) into its kind and name. */
export function parsePrincipalArn(arn: string): { type: "user" | "role"; accountId: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):(user|role)(\/(?:[\u0021-\u007E]*\/)?)?([\w+=,.@-]+)$/.exec(arn);
  if (!m) return undefined;
  return { type: m[2] as "user" | "role", accountId: m[1]!, name: m[4]! };
}

/** Loads principals by ARN in one query per kind; missing ones map to undefined. */
export async function loadPrincipals(prisma: PrismaClient, arns: readonly string[]): Promise<(Principal | undefined)[]> {
  const parsed = arns.map(parsePrincipalArn);
  const userKeys = parsed.filter((p) => p?.type === "user").map((p) => nameKey(p!.name));
  const roleKeys = parsed.filter((p) => p?.type === "role").map((p) => nameKey(p!.name));
  const [users, roles] = await Promise.all([
    userKeys.length ? prisma.user.findMany({ where: { userNameKey: { in: userKeys } }, include: { tags: true } }) : [],
    roleKeys.length ? prisma.role.findMany({ where: { roleNameKey: { in: roleKeys } }, include: { tags: true } }) : [],
  ]);
  const byArn = new Map<string, Principal>();
  for (const u of users) {
    byArn.set(u.arn, { type: "user", id: u.id, name: u.userName, arn: u.arn, accountId: u.accountId, tags: u.tags, boundaryArn: u.permissionsBoundaryArn });
  }
  for (const r of roles) {
    byArn.set(r.arn, { type: "role", id: r.id, name: r.roleName, arn: r.arn, accountId: r.accountId, tags: r.tags, boundaryArn: r.permissionsBoundaryArn });
  }
  return arns.map((arn) => byArn.get(arn));
}

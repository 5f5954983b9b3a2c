import DataLoader from "dataloader";
import { nameKey } from "../../domain/shared/names.js";
import type { Tag } from "../../domain/shared/tags.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";
import type { EntityFacts } from "./authorization-check.js";

/**
 * What the guard reads about the entities a request names: their real ARN (with path), tags and
 * boundary. Batched per request, so a page of mutations or a list of nested fields costs one
 * query per kind; kept beside the request's own loaders so context.ts need not know about it.
 */
export interface ResourceLookup {
  user(name: string): Promise<EntityFacts | undefined>;
  group(name: string): Promise<EntityFacts | undefined>;
  role(name: string): Promise<EntityFacts | undefined>;
  /** Tags of a managed policy (customer-managed or AWS-managed); undefined when none has that ARN. */
  policyTags(arn: string): Promise<readonly Tag[] | undefined>;
  /** The user owning an access key; undefined for an unknown key. */
  accessKeyOwner(accessKeyId: string): Promise<EntityFacts | undefined>;
}

const lookups = new WeakMap<Context, ResourceLookup>();

export function resourceLookup(ctx: Context): ResourceLookup {
  let lookup = lookups.get(ctx);
  if (!lookup) lookups.set(ctx, (lookup = createResourceLookup(ctx.prisma, ctx.accountId)));
  return lookup;
}

type Row = { arn: string; path: string; tags?: { key: string; value: string }[]; permissionsBoundaryArn?: string | null };
const facts = (row: Row): EntityFacts => ({
  arn: row.arn,
  path: row.path,
  tags: (row.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
  boundaryArn: row.permissionsBoundaryArn ?? null,
});

function byKey<R>(rows: R[], key: (r: R) => string) {
  return new Map(rows.map((r) => [key(r), r]));
}

export function createResourceLookup(prisma: PrismaClient, accountId: string): ResourceLookup {
  const users = new DataLoader<string, EntityFacts | undefined>(async (names) => {
    const keys = names.map(nameKey);
    const rows = await prisma.user.findMany({ where: { accountId, userNameKey: { in: keys } }, include: { tags: true } });
    const found = byKey(rows, (r) => r.userNameKey);
    return keys.map((k) => (found.has(k) ? facts(found.get(k)!) : undefined));
  });
  const groups = new DataLoader<string, EntityFacts | undefined>(async (names) => {
    const keys = names.map(nameKey);
    const rows = await prisma.group.findMany({ where: { accountId, groupNameKey: { in: keys } } });
    const found = byKey(rows, (r) => r.groupNameKey);
    return keys.map((k) => (found.has(k) ? facts(found.get(k)!) : undefined));
  });
  const roles = new DataLoader<string, EntityFacts | undefined>(async (names) => {
    const keys = names.map(nameKey);
    const rows = await prisma.role.findMany({ where: { accountId, roleNameKey: { in: keys } }, include: { tags: true } });
    const found = byKey(rows, (r) => r.roleNameKey);
    return keys.map((k) => (found.has(k) ? facts(found.get(k)!) : undefined));
  });
  const policies = new DataLoader<string, readonly Tag[] | undefined>(async (arns) => {
    const rows = await prisma.policy.findMany({ where: { arn: { in: [...arns] }, accountId: { in: [accountId, "aws"] } }, include: { tags: true } });
    const found = byKey(rows, (r) => r.arn);
    return arns.map((a) => found.get(a)?.tags.map((t) => ({ key: t.key, value: t.value })));
  });
  const keyOwners = new DataLoader<string, EntityFacts | undefined>(async (ids) => {
    const rows = await prisma.accessKey.findMany({ where: { accountId, accessKeyId: { in: [...ids] } }, include: { user: { include: { tags: true } } } });
    const found = byKey(rows, (r) => r.accessKeyId);
    return ids.map((id) => (found.has(id) ? facts(found.get(id)!.user) : undefined));
  });
  return {
    user: (name) => users.load(name),
    group: (name) => groups.load(name),
    role: (name) => roles.load(name),
    policyTags: (arn) => policies.load(arn),
    accessKeyOwner: (id) => keyOwners.load(id),
  };
}

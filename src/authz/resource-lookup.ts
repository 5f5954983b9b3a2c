import DataLoader from "dataloader";
import { nameKey } from "../domain/shared/names.js";
import type { Tag } from "../domain/shared/tags.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { EntityFacts } from "./authorization-check.js";

/**
 * What authorization reads about the entities a request names: their real ARN (with path), tags
 * and boundary. Batched, so a page of nested fields costs one query per kind. Read through the
 * API's shared cache for queries (src/api/authorization/resource-lookup.ts), and from the writing
 * transaction for commands (src/app/command-authorization.ts), so a command is authorized on the
 * state its decider sees.
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

/** A cache kept across lookups (src/api/authorization/entity-facts-cache.ts is the one in use). */
export interface FactsCache {
  readonly generation: number;
  get<T>(key: string): T | undefined;
  set<T>(key: string, id: string, value: T, readAtGeneration: number): void;
}

/**
 * A DataLoader batch that answers from the shared cache first and queries only the rest, keeping
 * what it found (with the id whose events invalidate it).
 */
function cached<V>(
  cache: FactsCache | undefined,
  prefix: string,
  query: (keys: readonly string[]) => Promise<Map<string, { id: string; value: V }>>,
): (keys: readonly string[]) => Promise<(V | undefined)[]> {
  return async (keys) => {
    const hits = keys.map((k) => cache?.get<V>(`${prefix}:${k}`));
    const missing = keys.filter((_, i) => hits[i] === undefined);
    if (missing.length === 0) return hits;
    const generation = cache?.generation ?? 0;
    const found = await query(missing);
    for (const [key, { id, value }] of found) cache?.set(`${prefix}:${key}`, id, value, generation);
    return keys.map((k, i) => hits[i] ?? found.get(k)?.value);
  };
}

type Row = { arn: string; path: string; tags?: { key: string; value: string }[]; permissionsBoundaryArn?: string | null };
const facts = (row: Row): EntityFacts => ({
  arn: row.arn,
  path: row.path,
  tags: (row.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
  boundaryArn: row.permissionsBoundaryArn ?? null,
});

/** `prisma` may be a transaction client: then every answer is as of that transaction. */
export function createResourceLookup(prisma: PrismaClient, accountId: string, cache?: FactsCache): ResourceLookup {
  const entities = <R extends Row & { id: string }>(keyOf: (r: R) => string) => (rows: R[]) =>
    new Map(rows.map((r) => [keyOf(r), { id: r.id, value: facts(r) }]));
  const users = new DataLoader<string, EntityFacts | undefined>(
    cached(cache, "user", async (keys) =>
      entities<Row & { id: string; userNameKey: string }>((r) => r.userNameKey)(
        await prisma.user.findMany({ where: { accountId, userNameKey: { in: [...keys] } }, include: { tags: true } }),
      ),
    ),
  );
  const groups = new DataLoader<string, EntityFacts | undefined>(
    cached(cache, "group", async (keys) =>
      entities<Row & { id: string; groupNameKey: string }>((r) => r.groupNameKey)(await prisma.group.findMany({ where: { accountId, groupNameKey: { in: [...keys] } } })),
    ),
  );
  const roles = new DataLoader<string, EntityFacts | undefined>(
    cached(cache, "role", async (keys) =>
      entities<Row & { id: string; roleNameKey: string }>((r) => r.roleNameKey)(
        await prisma.role.findMany({ where: { accountId, roleNameKey: { in: [...keys] } }, include: { tags: true } }),
      ),
    ),
  );
  const policies = new DataLoader<string, readonly Tag[] | undefined>(
    cached(cache, "policy", async (arns) => {
      const rows = await prisma.policy.findMany({ where: { arn: { in: [...arns] }, accountId: { in: [accountId, "aws"] } }, include: { tags: true } });
      return new Map(rows.map((r) => [r.arn, { id: r.id, value: r.tags.map((t) => ({ key: t.key, value: t.value })) as readonly Tag[] }]));
    }),
  );
  const keyOwners = new DataLoader<string, EntityFacts | undefined>(
    cached(cache, "access-key", async (ids) => {
      const rows = await prisma.accessKey.findMany({ where: { accountId, accessKeyId: { in: [...ids] } }, include: { user: { include: { tags: true } } } });
      return new Map(rows.map((r) => [r.accessKeyId, { id: r.user.id, value: facts(r.user) }]));
    }),
  );
  const byName = <V>(loader: DataLoader<string, V>) => (name: string) => loader.load(nameKey(name));
  return {
    user: byName(users),
    group: byName(groups),
    role: byName(roles),
    policyTags: (arn) => policies.load(arn),
    accessKeyOwner: (id) => keyOwners.load(id),
  };
}

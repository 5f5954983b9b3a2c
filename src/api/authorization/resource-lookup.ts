import { createResourceLookup, type ResourceLookup } from "../../authz/resource-lookup.js";
import type { Context } from "../context.js";

const lookups = new WeakMap<Context, ResourceLookup>();

/**
 * The guard's lookup for one request: batched per request (kept beside the request's own loaders
 * so context.ts need not know about it) and read through the entity-facts cache shared across
 * requests. Commands do not use it: they are authorized on facts read under the write lock.
 */
export function resourceLookup(ctx: Context): ResourceLookup {
  let lookup = lookups.get(ctx);
  if (!lookup) lookups.set(ctx, (lookup = createResourceLookup(ctx.prisma, ctx.accountId, ctx.entityFacts)));
  return lookup;
}

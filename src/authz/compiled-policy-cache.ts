import type { IamEvent } from "../../events/catalogue.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { compilePolicySet, type CompiledPolicySet } from "../policy/compile.js";
import type { PolicyInEffect } from "../policy/document.js";
import { loadPoliciesInEffect } from "./policies-in-effect.js";
import { loadPrincipals, type Principal } from "./principal.js";

export interface PrincipalEntry {
  readonly principal: Principal;
  readonly identity: readonly PolicyInEffect[];
  readonly boundary: readonly PolicyInEffect[] | undefined;
  readonly compiled: CompiledPolicySet;
}

/**
 * The authorization hot path's memory: each principal's compiled policy set, built from the
 * effective-policies projection on first use and dropped when an event touches anything it
 * depends on (the principal, one of its groups, one of its policies). A request therefore
 * costs no database work once its principal is warm.
 */
export class CompiledPolicyCache {
  readonly #entries = new Map<string, PrincipalEntry>();
  /** dependency key (entity id or policy ARN) → principal ARNs whose entry used it */
  readonly #dependents = new Map<string, Set<string>>();
  readonly #dependencies = new Map<string, ReadonlySet<string>>();
  /** Bumped by every invalidation; a load that straddles one is not cached (it may be stale). */
  #epoch = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly maxEntries = 50_000,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Entries for many principals, loading the cold ones in one batch. */
  async getMany(arns: readonly string[]): Promise<(PrincipalEntry | undefined)[]> {
    const missing = [...new Set(arns.filter((a) => !this.#entries.has(a)))];
    if (missing.length > 0) {
      const epoch = this.#epoch;
      const principals = (await loadPrincipals(this.prisma, missing)).filter((p): p is Principal => p !== undefined);
      const policies = await loadPoliciesInEffect(this.prisma, principals);
      const fresh = new Map<string, PrincipalEntry>();
      principals.forEach((principal, i) => {
        const p = policies[i]!;
        const entry = { principal, identity: p.identity, boundary: p.boundary, compiled: compilePolicySet(p.identity, p.boundary) };
        fresh.set(principal.arn, entry);
        if (epoch === this.#epoch) this.#store(principal.arn, entry, p.dependsOn);
      });
      return arns.map((a) => this.#entries.get(a) ?? fresh.get(a));
    }
    return arns.map((a) => this.#entries.get(a));
  }

  async get(arn: string): Promise<PrincipalEntry | undefined> {
    return (await this.getMany([arn]))[0];
  }

  /** Drops every entry that depends on something the events changed. */
  invalidate(events: readonly { readonly type: string; readonly data: unknown }[]): void {
    this.#epoch++;
    for (const event of events) {
      for (const key of dependencyKeys(event as IamEvent)) {
        const arns = this.#dependents.get(key);
        if (!arns) continue;
        for (const arn of [...arns]) this.#drop(arn);
      }
    }
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
    this.#dependents.clear();
    this.#dependencies.clear();
  }

  #store(arn: string, entry: PrincipalEntry, dependsOn: ReadonlySet<string>): void {
    if (this.#entries.size >= this.maxEntries) this.#drop(this.#entries.keys().next().value!);
    this.#entries.set(arn, entry);
    this.#dependencies.set(arn, dependsOn);
    for (const key of dependsOn) {
      let set = this.#dependents.get(key);
      if (!set) this.#dependents.set(key, (set = new Set()));
      set.add(arn);
    }
  }

  #drop(arn: string): void {
    this.#entries.delete(arn);
    for (const key of this.#dependencies.get(arn) ?? []) this.#dependents.get(key)?.delete(arn);
    this.#dependencies.delete(arn);
  }
}

/**
 * The entity ids and policy ARNs whose dependents an event can affect. Permission and membership
 * events name the policy and the group too, but they change only the holder (or the member):
 * attaching a policy to bob, or adding bob to a group, changes nothing for alice, who holds
 * the same policy or is in the same group. Other events drop every id and ARN they carry.
 */
function dependencyKeys(event: IamEvent): string[] {
  switch (event.type) {
    case "ManagedPolicyAttached":
    case "ManagedPolicyDetached":
    case "InlinePolicyPut":
    case "InlinePolicyDeleted":
    case "PermissionsBoundaryPut":
    case "PermissionsBoundaryDeleted":
      return [event.data.entityId];
    case "UserAddedToGroup":
    case "UserRemovedFromGroup":
      return [event.data.userId];
    // A new version is not in effect until it is the default (PolicyDefaultVersionSet says so),
    // and the default version can never be deleted.
    case "PolicyVersionCreated":
    case "PolicyVersionDeleted":
      return [];
    default:
      break;
  }
  const d = event.data as Record<string, unknown>;
  const keys: string[] = [];
  for (const field of ["userId", "groupId", "roleId", "entityId", "policyArn", "arn"]) {
    const v = d[field];
    if (typeof v === "string") keys.push(v);
  }
  return keys;
}

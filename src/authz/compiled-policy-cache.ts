import type { IamEvent } from "../../events/catalogue.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { compileDocument, compilePolicySet, type CompiledPolicySet } from "../policy/compile.js";
import type { PolicyDocument, PolicyInEffect } from "../policy/document.js";
import { inlineSourceKey } from "../domain/permissions/effective-paths.js";
import { AbsentPrincipals } from "./absent-principals.js";
import { loadPoliciesInEffect, parseCached } from "./policies-in-effect.js";
import { loadPrincipals, type Principal } from "./principal.js";

export interface PrincipalEntry {
  readonly principal: Principal;
  readonly identity: readonly PolicyInEffect[];
  readonly boundary: readonly PolicyInEffect[] | undefined;
  readonly compiled: CompiledPolicySet;
}

/** What the cache keeps per principal besides the entry it hands out. */
interface Held {
  entry: PrincipalEntry;
  /** pathKey of each identity policy, same positions as entry.identity. */
  readonly identityPaths: readonly string[];
  readonly dependsOn: ReadonlySet<string>;
  /** The principal's tags changed: re-read the principal (one query), keep the compiled set. */
  principalStale: boolean;
  /**
   * entry.identity/boundary changed and entry.compiled is of the old ones: re-linked on next use,
   * not in the event handler, so a policy held by thousands costs each holder only when asked.
   */
  relink: boolean;
}

/**
 * The authorization hot path's memory: each principal's compiled policy set, built from the
 * effective-policies projection on first use. Documents are compiled once per text and shared by
 * every holder (parseCached + compileDocument), so a principal's set is only a *link* of compiled
 * documents. Events keep the entries current incrementally where the event says all there is to
 * know: a new default version of a managed policy, or a replaced inline policy, swaps that one
 * document in every holder and re-links them (no database trip); tags re-read the principal only
 * (the compiled set does not depend on them). Anything else — attachments, memberships,
 * boundaries, renames, deletions — drops the dependents, and their next load re-links documents
 * that are already compiled.
 *
 * Principals that do not exist are remembered too (AbsentPrincipals), until a creation or rename
 * event names their ARN, so asking about them repeatedly costs no database work either.
 */
export class CompiledPolicyCache {
  readonly #entries = new Map<string, Held>();
  /** dependency key (entity id or policy ARN) → principal ARNs whose entry used it */
  readonly #dependents = new Map<string, Set<string>>();
  /** Documents of versions created since start, for policies some entry holds (`arn#versionId`). */
  readonly #versionTexts = new Map<string, string>();
  readonly #absent: AbsentPrincipals;
  /** Bumped by every invalidation; a load that straddles one is not cached (it may be stale). */
  #epoch = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly maxEntries = 50_000,
  ) {
    this.#absent = new AbsentPrincipals(maxEntries * 2);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Entries for many principals, loading the cold ones in one batch. */
  async getMany(arns: readonly string[]): Promise<(PrincipalEntry | undefined)[]> {
    const missing: string[] = [];
    const retag: Held[] = [];
    for (const arn of new Set(arns)) {
      const held = this.#entries.get(arn);
      if (held === undefined) {
        if (!this.#absent.has(arn)) missing.push(arn);
        continue;
      }
      if (held.relink) {
        held.entry = { ...held.entry, compiled: compilePolicySet(held.entry.identity, held.entry.boundary) };
        held.relink = false;
      }
      if (held.principalStale) retag.push(held);
    }
    if (missing.length === 0 && retag.length === 0) return arns.map((a) => this.#entries.get(a)?.entry);
    const epoch = this.#epoch;
    const [loaded, retagged] = await Promise.all([this.#load(missing), this.#reloadPrincipals(retag)]);
    const fresh = new Map<string, PrincipalEntry>();
    for (const [arn, { entry, identityPaths, dependsOn }] of loaded) {
      fresh.set(arn, entry);
      if (epoch === this.#epoch) this.#store(arn, { entry, identityPaths, dependsOn, principalStale: false, relink: false });
    }
    for (const arn of missing) if (!loaded.has(arn) && epoch === this.#epoch) this.#absent.add(arn);
    for (const [held, principal] of retagged) {
      if (principal === undefined || principal.id !== held.entry.principal.id) continue; // gone: its deletion event drops it
      const entry = { ...held.entry, principal };
      fresh.set(principal.arn, entry);
      if (epoch === this.#epoch) {
        held.entry = entry;
        held.principalStale = false;
      }
    }
    return arns.map((a) => fresh.get(a) ?? this.#entries.get(a)?.entry);
  }

  async get(arn: string): Promise<PrincipalEntry | undefined> {
    return (await this.getMany([arn]))[0];
  }

  async #load(arns: readonly string[]) {
    const out = new Map<string, { entry: PrincipalEntry; identityPaths: readonly string[]; dependsOn: ReadonlySet<string> }>();
    if (arns.length === 0) return out;
    const principals = (await loadPrincipals(this.prisma, arns)).filter((p): p is Principal => p !== undefined);
    if (principals.length === 0) return out;
    const policies = await loadPoliciesInEffect(this.prisma, principals);
    principals.forEach((principal, i) => {
      const p = policies[i]!;
      const entry = { principal, identity: p.identity, boundary: p.boundary, compiled: compilePolicySet(p.identity, p.boundary) };
      out.set(principal.arn, { entry, identityPaths: p.identityPaths, dependsOn: p.dependsOn });
    });
    return out;
  }

  async #reloadPrincipals(held: readonly Held[]): Promise<[Held, Principal | undefined][]> {
    if (held.length === 0) return [];
    const principals = await loadPrincipals(this.prisma, held.map((h) => h.entry.principal.arn));
    return held.map((h, i) => [h, principals[i]]);
  }

  /** Brings entries up to date with committed events (see the class comment for how). */
  invalidate(events: readonly { readonly type: string; readonly data: unknown }[]): void {
    this.#epoch++;
    for (const e of events) {
      const event = e as IamEvent;
      this.#absent.forget(event);
      switch (event.type) {
        case "PolicyVersionCreated":
          // Not in effect until it is the default (PolicyDefaultVersionSet says so); kept so that
          // event can swap the document in without reading it back.
          if (this.#dependents.has(event.data.arn)) this.#rememberVersion(`${event.data.arn}#${event.data.versionId}`, event.data.document);
          continue;
        case "PolicyVersionDeleted": // the default version can never be deleted
          this.#versionTexts.delete(`${event.data.arn}#${event.data.versionId}`);
          continue;
        case "PolicyDefaultVersionSet": {
          const { arn, versionId } = event.data;
          const text = this.#versionTexts.get(`${arn}#${versionId}`);
          const document = text === undefined ? undefined : compiledOnce(parseCached(text));
          const swap = (p: PolicyInEffect): PolicyInEffect =>
            p.source.policyArn === arn && p.source.kind === "managed" ? { source: { ...p.source, versionId }, document: document! } : p;
          this.#relink(arn, document === undefined ? undefined : (held) => ({ identity: held.entry.identity.map(swap), boundary: held.entry.boundary?.map(swap) }));
          continue;
        }
        case "InlinePolicyPut": {
          const { entityType, entityId, policyName } = event.data;
          const document = compiledOnce(parseCached(event.data.document));
          const prefix = `${inlineSourceKey(entityType, entityId, policyName)}|`;
          this.#relink(entityId, document === undefined ? undefined : (held) => {
            // A new inline policy (no path yet) changes the set's shape: the holder reloads.
            if (!held.identityPaths.some((k) => k.startsWith(prefix))) return undefined;
            const identity = held.entry.identity.map((p, i) => (held.identityPaths[i]!.startsWith(prefix) ? { source: p.source, document: document! } : p));
            return { identity, boundary: held.entry.boundary };
          });
          continue;
        }
        case "UserTagged":
        case "UserUntagged":
          for (const arn of this.#dependents.get(event.data.userId) ?? []) {
            const held = this.#entries.get(arn)!;
            if (held.entry.principal.id === event.data.userId) held.principalStale = true;
          }
          continue;
        default:
          for (const key of dependencyKeys(event)) this.#dropDependents(key);
      }
    }
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
    this.#dependents.clear();
    this.#versionTexts.clear();
    this.#absent.clear();
  }

  /**
   * Gives every dependent of `key` the policies `change` returns (documents compiled once, by
   * text, whoever holds them), to be re-linked on its next use; a dependent for which there is no `change`, or for which
   * it returns undefined, is dropped and reloads on next use.
   */
  #relink(key: string, change: ((held: Held) => Pick<PrincipalEntry, "identity" | "boundary"> | undefined) | undefined): void {
    for (const arn of [...(this.#dependents.get(key) ?? [])]) {
      const held = this.#entries.get(arn)!;
      const next = change?.(held);
      if (next === undefined) {
        this.#drop(arn);
        continue;
      }
      held.entry = { ...held.entry, ...next };
      held.relink = true;
    }
  }

  #rememberVersion(key: string, text: string): void {
    if (this.#versionTexts.size >= 10_000) this.#versionTexts.delete(this.#versionTexts.keys().next().value!);
    this.#versionTexts.set(key, text);
  }

  #store(arn: string, held: Held): void {
    if (this.#entries.has(arn)) this.#drop(arn);
    if (this.#entries.size >= this.maxEntries) this.#drop(this.#entries.keys().next().value!);
    this.#entries.set(arn, held);
    for (const key of held.dependsOn) {
      let set = this.#dependents.get(key);
      if (!set) this.#dependents.set(key, (set = new Set()));
      set.add(arn);
    }
  }

  #dropDependents(key: string): void {
    const arns = this.#dependents.get(key);
    if (arns) for (const arn of [...arns]) this.#drop(arn);
  }

  #drop(arn: string): void {
    const held = this.#entries.get(arn);
    this.#entries.delete(arn);
    for (const key of held?.dependsOn ?? []) {
      const set = this.#dependents.get(key);
      set?.delete(arn);
      if (set?.size === 0) this.#dependents.delete(key);
    }
  }
}

/**
 * A changed document is compiled here, once, as its event is applied (compileDocument remembers
 * it by document): the holders' next decisions only re-link, and none of them pays for the
 * compilation.
 */
function compiledOnce(document: PolicyDocument | undefined): PolicyDocument | undefined {
  if (document !== undefined) compileDocument(document);
  return document;
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

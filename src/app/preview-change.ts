import { loadPoliciesInEffect, type PrincipalPolicies } from "../authz/policies-in-effect.js";
import { loadPrincipals, type Principal } from "../authz/principal.js";
import { principalContext } from "../authz/request-context.js";
import { parseStreamId } from "../domain/shared/stream-ids.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { compilePolicySet } from "../policy/compile.js";
import { evaluate, type EvalDecision } from "../policy/evaluate.js";
import { buildContext } from "../policy/request.js";
import type { Tx } from "../db/transaction.js";
import type { Command } from "./command.js";
import type { CommandPipeline, GroupOptions, RequestContext } from "./command-pipeline.js";

export interface DecisionFlip {
  readonly principalArn: string;
  readonly principalType: "user" | "role";
  readonly action: string;
  readonly resource: string;
  readonly before: EvalDecision;
  readonly after: EvalDecision;
}

export interface ChangePreview {
  /** The head the preview was computed against. */
  readonly position: number;
  /** The events the command would append (not appended). */
  readonly events: readonly StoredEvent[];
  /** Users and roles whose effective set the change could touch. */
  readonly principalsConsidered: number;
  /** Every (principal, action) whose allowed/denied outcome would flip. */
  readonly flips: readonly DecisionFlip[];
}

/**
 * What a command would change, computed without changing anything: the pipeline rehearses it
 * (command-pipeline.ts, rollback mode) — the same lock, authorization, planner and refusals, the
 * real append and projections — and every affected principal is evaluated before and after, then
 * it is all rolled back.
 *
 * `actions` undefined: every action named (as written, wildcards included) in a statement of an
 * affected principal's policies, before or after — what a bare `dryRun: true` reports.
 */
export async function previewChange(
  pipeline: CommandPipeline,
  command: Command,
  request: RequestContext,
  actions: readonly string[] | undefined,
  resource = "*",
): Promise<ChangePreview> {
  return previewChanges(pipeline, [command], request, actions, resource);
}

/** The same for several commands applied in order, as `CommandPipeline.handleAll` applies them. */
export async function previewChanges(
  pipeline: CommandPipeline,
  commands: readonly Command[],
  request: RequestContext,
  actions: readonly string[] | undefined,
  resource = "*",
  options: GroupOptions = {},
): Promise<ChangePreview> {
  const now = new Date();
  const principals = new Map<string, Principal>();
  const before: Sets = [];
  return pipeline.rehearse(commands, request, {
    // Each principal's "before" is read when a command first touches it, before that command's
    // events are projected. A principal no earlier command touched still has its original set
    // (affectedPrincipals finds every principal whose set an event can change).
    beforeProject: async (tx, events) => {
      const fresh = (await affectedPrincipals(tx, events)).filter((p) => !principals.has(p.arn));
      for (const p of fresh) principals.set(p.arn, p);
      before.push(...(await policySets(tx, fresh)));
    },
    conclude: async (tx, events, head) => {
      const considered = [...principals.values()].sort((a, b) => a.arn.localeCompare(b.arn));
      const after = await policySets(tx, considered);
      const asked = actions ?? namedActions([...before, ...after]);
      const was = decisions(before, asked, resource, now);
      const flips = [...decisions(after, asked, resource, now)].flatMap(([key, decision]) => {
        const previous = was.get(key)?.decision ?? "implicitDeny";
        if ((previous === "allowed") === (decision.decision === "allowed")) return [];
        return [{ ...decision.request, before: previous, after: decision.decision }];
      });
      return { position: head, events, principalsConsidered: considered.length, flips };
    },
  }, options);
}

/**
 * Users and roles whose set the events could change: the holder itself; a group's members; for a
 * policy's events, every holder of the policy (through groups too) and every user and role using
 * it as a boundary. Read from the projections before the change.
 */
async function affectedPrincipals(tx: Tx, events: readonly StoredEvent[]): Promise<Principal[]> {
  const userIds = new Set<string>();
  const roleIds = new Set<string>();
  const groupIds = new Set<string>();
  const policyArns = new Set<string>();
  for (const e of events) {
    const { kind, id } = parseStreamId(e.streamId) ?? {};
    if (id === undefined) continue;
    if (kind === "user") userIds.add(id);
    else if (kind === "role") roleIds.add(id);
    else if (kind === "group") groupIds.add(id);
    else if (kind === "policy" && "arn" in e.data) policyArns.add(e.data.arn as string);
  }
  if (policyArns.size > 0) {
    const arns = [...policyArns];
    for (const a of await tx.policyAttachment.findMany({ where: { policyArn: { in: arns } } })) {
      (a.entityType === "user" ? userIds : a.entityType === "role" ? roleIds : groupIds).add(a.entityId);
    }
    for (const u of await tx.user.findMany({ where: { permissionsBoundaryArn: { in: arns } }, select: { id: true } })) userIds.add(u.id);
    for (const r of await tx.role.findMany({ where: { permissionsBoundaryArn: { in: arns } }, select: { id: true } })) roleIds.add(r.id);
  }
  if (groupIds.size > 0) {
    for (const m of await tx.groupMembership.findMany({ where: { groupId: { in: [...groupIds] } }, select: { userId: true } })) userIds.add(m.userId);
  }
  const [users, roles] = await Promise.all([
    tx.user.findMany({ where: { id: { in: [...userIds] } }, select: { arn: true } }),
    tx.role.findMany({ where: { id: { in: [...roleIds] } }, select: { arn: true } }),
  ]);
  const arns = [...users, ...roles].map((r) => r.arn).sort();
  const loaded = await loadPrincipals(tx as unknown as PrismaClient, arns);
  return loaded.filter((p): p is Principal => p !== undefined);
}

type Decided = { request: Omit<DecisionFlip, "before" | "after">; decision: EvalDecision };
type Sets = { principal: Principal; policies: PrincipalPolicies }[];

/** Each principal as it is now in this transaction (tags, boundary), with its policies in effect. */
async function policySets(tx: Tx, principals: readonly Principal[]): Promise<Sets> {
  if (principals.length === 0) return [];
  const current = await loadPrincipals(tx as unknown as PrismaClient, principals.map((p) => p.arn));
  const present = current.filter((p): p is Principal => p !== undefined);
  const sets = await loadPoliciesInEffect(tx as unknown as PrismaClient, present);
  return present.map((principal, i) => ({ principal, policies: sets[i]! }));
}

/** The actions the statements name, as written (NotAction lists name what they exclude: skipped). */
function namedActions(sets: Sets): string[] {
  const named = new Set<string>();
  for (const { policies } of sets) {
    for (const p of [...policies.identity, ...(policies.boundary ?? [])]) for (const st of p.document.statements) for (const a of st.action ?? []) named.add(a);
  }
  return [...named].sort();
}

function decisions(sets: Sets, actions: readonly string[], resource: string, now: Date): Map<string, Decided> {
  const out = new Map<string, Decided>();
  for (const { principal, policies } of sets) {
    const compiled = compilePolicySet(policies.identity, policies.boundary);
    const context = buildContext(principalContext(principal, now));
    for (const action of actions) {
      const decision = evaluate(compiled, { action, resource, context }).decision;
      out.set(`${principal.arn}\u0000${action}`, { request: { principalArn: principal.arn, principalType: principal.type, action, resource }, decision });
    }
  }
  return out;
}

/**
 * The actions named in a principal's policies that it is allowed now (on `resource`): what a
 * credential of that principal can do, for a preview that takes a credential away rather than a
 * permission (deleting an access key flips none of its user's decisions).
 */
export async function allowedNamedActions(tx: Tx, principalArn: string, resource = "*"): Promise<string[]> {
  const [principal] = await loadPrincipals(tx as unknown as PrismaClient, [principalArn]);
  if (!principal) return [];
  const sets = await policySets(tx, [principal]);
  return [...decisions(sets, namedActions(sets), resource, new Date()).values()].filter((d) => d.decision === "allowed").map((d) => d.request.action);
}

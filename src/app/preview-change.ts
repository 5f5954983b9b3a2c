import { randomUUID } from "node:crypto";
import { loadPoliciesInEffect, type PrincipalPolicies } from "../authz/policies-in-effect.js";
import { loadPrincipals, type Principal } from "../authz/principal.js";
import { principalContext } from "../authz/request-context.js";
import type { CommandMetadata } from "../domain/shared/command-metadata.js";
import { parseStreamId } from "../domain/shared/stream-ids.js";
import { headPosition } from "../eventstore/read.js";
import type { StoredEvent } from "../eventstore/stored-event.js";
import { takeWriteLock } from "../eventstore/write-lock.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { compilePolicySet } from "../policy/compile.js";
import { evaluate, type EvalDecision } from "../policy/evaluate.js";
import { buildContext } from "../policy/request.js";
import { project } from "../projections/runner.js";
import type { Tx } from "../projections/projection.js";
import type { Command } from "./command.js";
import type { RequestContext } from "./command-pipeline.js";
import { dryApplyInOrder, stage } from "./dry-apply.js";
import { planCommand } from "./plan.js";

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

class Rollback extends Error {
  constructor(readonly preview: ChangePreview) {
    super("preview rolled back");
  }
}

/**
 * What a command would change, computed without changing anything: inside one transaction under
 * the write lock, the real planner decides (so refusals are the real ones), the real projections
 * fold the would-be events, and every affected principal is evaluated before and after — then
 * the transaction rolls back. The events are not inserted at all: an insert would consume
 * positions from the sequence even when rolled back, leaving gaps in the log for a read-only question.
 *
 * `actions` undefined: every action named (as written, wildcards included) in a statement of an
 * affected principal's policies, before or after — what a bare `dryRun: true` reports.
 */
export async function previewChange(
  prisma: PrismaClient,
  accountId: string,
  command: Command,
  request: RequestContext,
  actions: readonly string[] | undefined,
  resource = "*",
): Promise<ChangePreview> {
  return previewChanges(prisma, accountId, [command], request, actions, resource);
}

/** The same for several commands applied in order, as `CommandPipeline.handleAll` applies them. */
export async function previewChanges(
  prisma: PrismaClient,
  accountId: string,
  commands: readonly Command[],
  request: RequestContext,
  actions: readonly string[] | undefined,
  resource = "*",
): Promise<ChangePreview> {
  const requestId = request.requestId ?? randomUUID();
  const now = new Date();
  const metas = commands.map(
    (): CommandMetadata => ({
      accountId,
      now,
      newId: `PREVIEW${randomUUID().replaceAll("-", "").slice(0, 14).toUpperCase()}`,
      actor: request.actor,
      requestId,
      correlationId: request.correlationId ?? requestId,
    }),
  );
  try {
    await prisma.$transaction(
      async (tx) => {
        await takeWriteLock(tx);
        const head = await headPosition(tx);
        let principals: Principal[];
        let staged: StoredEvent[];
        let before: Sets;
        if (commands.length === 1) {
          staged = stage(await planCommand(tx, commands[0]!, metas[0]!), metas[0]!, head);
          principals = await affectedPrincipals(tx, staged);
          before = await policySets(tx, principals);
          await project(tx, staged);
        } else {
          // Who a later command touches depends on the state its predecessors leave, but their
          // decisions must be taken before any of it: a first pass finds them, then is undone.
          const found: Principal[] = [];
          await tx.$executeRawUnsafe("SAVEPOINT preview_changes");
          await dryApplyInOrder(tx, commands, metas, head, async (events) => void found.push(...(await affectedPrincipals(tx, events))));
          await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT preview_changes");
          principals = dedupe(found);
          before = await policySets(tx, principals);
          staged = await dryApplyInOrder(tx, commands, metas, head);
        }
        const after = await policySets(tx, principals);
        const asked = actions ?? namedActions([...before, ...after]);
        const was = decisions(before, asked, resource, now);
        const flips = [...decisions(after, asked, resource, now)].flatMap(([key, decision]) => {
          const previous = was.get(key)?.decision ?? "implicitDeny";
          if ((previous === "allowed") === (decision.decision === "allowed")) return [];
          return [{ ...decision.request, before: previous, after: decision.decision }];
        });
        throw new Rollback({ position: head, events: staged, principalsConsidered: principals.length, flips });
      },
      { maxWait: 60_000, timeout: 60_000 },
    );
  } catch (err) {
    if (err instanceof Rollback) return err.preview;
    throw err;
  }
  throw new Error("unreachable: the preview transaction always rolls back");
}

function dedupe(principals: readonly Principal[]): Principal[] {
  return [...new Map(principals.map((p) => [p.arn, p])).values()].sort((a, b) => a.arn.localeCompare(b.arn));
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

import { DomainError } from "../domain/shared/domain-error.js";
import { compilePolicySet } from "../policy/compile.js";
import { evaluate, type EvaluationResult } from "../policy/evaluate.js";
import { buildContext, type ContextEntry } from "../policy/request.js";
import { contextKeysOf } from "../policy/context-keys.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { CompiledPolicyCache, PrincipalEntry } from "./compiled-policy-cache.js";
import { loadPoliciesInEffect } from "./policies-in-effect.js";
import { loadPrincipals, parsePrincipalArn, type Principal } from "./principal.js";
import { principalContext } from "./request-context.js";
import { evaluateSession } from "../policy/session-policy.js";
import { expiredSession, sessionContext, type SessionGrant } from "./session-grant.js";
import { inputPolicies, simulationPairs, toSimulationResult, type SimulationInput, type SimulationResult } from "./simulation.js";

export interface AuthorizeRequest {
  /** For a role session, the role's ARN: the session is evaluated as the role, within `session`. */
  readonly principalArn: string;
  /** Set when the caller is a role session: its policies, tags and keys (session-grant.ts). */
  readonly session?: SessionGrant;
  readonly action: string;
  readonly resource: string;
  readonly context?: readonly ContextEntry[];
}

/**
 * Answers "may this principal do X on Y, and why" from the compiled-policy cache: the
 * authorization hot path (no database work for a warm principal) and the policy simulator.
 */
export class Authorizer {
  constructor(
    private readonly cache: CompiledPolicyCache,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The compiled-policy cache it answers from (tests compare it with a fresh load). */
  get compiledPolicies(): CompiledPolicyCache {
    return this.cache;
  }

  /** Many decisions at once; principals load in one batch (GraphQL batches through a DataLoader). */
  async authorizeMany(requests: readonly AuthorizeRequest[]): Promise<(EvaluationResult | DomainError)[]> {
    return this.#decide(requests, await this.cache.getMany(requests.map((r) => r.principalArn)));
  }

  /**
   * The same, on the state `db` sees rather than the cache's: the principals' tags and policies
   * in effect are read from it and compiled afresh. For commands, `db` is the writing transaction
   * under the write lock (src/app/command-authorization.ts): the cache is invalidated only after
   * a commit is published — and not at all by another instance's commits until they arrive —
   * so it may lag the state the command is about to change.
   */
  async authorizeManyIn(db: PrismaClient, requests: readonly AuthorizeRequest[]): Promise<(EvaluationResult | DomainError)[]> {
    const arns = [...new Set(requests.map((r) => r.principalArn))];
    const principals = (await loadPrincipals(db, arns)).filter((p): p is Principal => p !== undefined);
    const policies = principals.length > 0 ? await loadPoliciesInEffect(db, principals) : [];
    const byArn = new Map(principals.map((principal, i) => [principal.arn, { principal, compiled: compilePolicySet(policies[i]!.identity, policies[i]!.boundary) }]));
    return this.#decide(requests, requests.map((r) => byArn.get(r.principalArn)));
  }

  #decide(requests: readonly AuthorizeRequest[], entries: readonly (Pick<PrincipalEntry, "principal" | "compiled"> | undefined)[]): (EvaluationResult | DomainError)[] {
    const now = this.now();
    return requests.map((request, i) => {
      const entry = entries[i];
      if (!entry) return noSuchPrincipal(request.principalArn);
      const { session } = request;
      const expired = session && expiredSession(session, now);
      if (expired) return expired;
      const own = session ? [...principalContext(entry.principal, now), ...sessionContext(session)] : principalContext(entry.principal, now);
      const context = buildContext([...own, ...(request.context ?? [])]);
      const req = { action: request.action, resource: request.resource, context };
      return session ? evaluateSession(entry.compiled, session.sessionPolicies, req) : evaluate(entry.compiled, req);
    });
  }

  async authorize(request: AuthorizeRequest): Promise<EvaluationResult> {
    const [result] = await this.authorizeMany([request]);
    if (result instanceof DomainError) throw result;
    return result!;
  }

  /** SimulatePrincipalPolicy: the principal's policies (plus any given), each action × resource. */
  async simulatePrincipalPolicy(
    input: SimulationInput & {
      readonly policySourceArn: string;
      readonly policyInputList?: readonly string[];
      /** Replaces the principal's boundary for the simulation, as in AWS. */
      readonly permissionsBoundaryPolicyInputList?: readonly string[];
    },
  ): Promise<SimulationResult[]> {
    const pairs = simulationPairs(input);
    const entry = await this.cache.get(input.policySourceArn);
    if (!entry) throw noSuchPrincipal(input.policySourceArn);
    const compiled = this.#withInputs(entry, input.policyInputList ?? [], input.permissionsBoundaryPolicyInputList);
    const context = buildContext([...principalContext(entry.principal, this.now()), ...(input.contextEntries ?? [])]);
    return pairs.map(([action, resource]) => toSimulationResult(action, resource, evaluate(compiled, { action, resource, context })));
  }

  /** SimulateCustomPolicy: only the given documents, no principal. */
  simulateCustomPolicy(
    input: SimulationInput & { readonly policyInputList: readonly string[]; readonly permissionsBoundaryPolicyInputList?: readonly string[] },
  ): SimulationResult[] {
    const pairs = simulationPairs(input);
    if (input.policyInputList.length === 0) throw new DomainError("InvalidInput", "PolicyInputList must hold at least one policy.");
    const attachedTo = { type: "user" as const, name: "simulation", arn: "simulation" };
    const identity = inputPolicies(input.policyInputList, "PolicyInputList", attachedTo);
    const boundary = input.permissionsBoundaryPolicyInputList?.length
      ? inputPolicies(input.permissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", attachedTo)
      : undefined;
    const compiled = compilePolicySet(identity, boundary);
    const now = this.now();
    const context = buildContext([
      { key: "aws:CurrentTime", type: "date", values: [now.toISOString()] },
      { key: "aws:EpochTime", type: "numeric", values: [String(Math.floor(now.getTime() / 1000))] },
      ...(input.contextEntries ?? []),
    ]);
    return pairs.map(([action, resource]) => toSimulationResult(action, resource, evaluate(compiled, { action, resource, context })));
  }

  /**
   * GetContextKeysForPrincipalPolicy: the keys the principal's identity policies (its own and its
   * groups') and the given documents read. AWS also answers for a group; iamgraph's principals
   * are users and roles, so a group ARN is refused by name rather than reported missing.
   */
  async contextKeysForPrincipalPolicy(policySourceArn: string, policyInputList: readonly string[]): Promise<string[]> {
    if (/^arn:aws:iam::\d{12}:group\//.test(policySourceArn)) {
      throw new DomainError("InvalidInput", `iamgraph answers GetContextKeysForPrincipalPolicy for users and roles; ${policySourceArn} is a group.`);
    }
    const entry = parsePrincipalArn(policySourceArn) ? await this.cache.get(policySourceArn) : undefined;
    if (!entry) throw noSuchPrincipal(policySourceArn);
    const attachedTo = { type: entry.principal.type, name: entry.principal.name, arn: entry.principal.arn };
    const given = inputPolicies(policyInputList, "PolicyInputList", attachedTo);
    return contextKeysOf([...entry.identity, ...given].map((p) => p.document));
  }

  /** GetContextKeysForCustomPolicy: the keys the given documents read. */
  contextKeysForCustomPolicy(policyInputList: readonly string[]): string[] {
    if (policyInputList.length === 0) throw new DomainError("InvalidInput", "PolicyInputList must hold at least one policy.");
    const given = inputPolicies(policyInputList, "PolicyInputList", { type: "user", name: "custom", arn: "custom" });
    return contextKeysOf(given.map((p) => p.document));
  }

  #withInputs(entry: PrincipalEntry, extra: readonly string[], boundaryTexts: readonly string[] | undefined) {
    if (extra.length === 0 && boundaryTexts === undefined) return entry.compiled;
    const attachedTo = { type: entry.principal.type, name: entry.principal.name, arn: entry.principal.arn };
    const identity = [...entry.identity, ...inputPolicies(extra, "PolicyInputList", attachedTo)];
    const boundary = boundaryTexts ? inputPolicies(boundaryTexts, "PermissionsBoundaryPolicyInputList", attachedTo) : entry.boundary;
    return compilePolicySet(identity, boundary && boundary.length > 0 ? boundary : undefined);
  }
}

function noSuchPrincipal(arn: string): DomainError {
  return new DomainError("NoSuchEntity", `The principal ${arn} cannot be found.`);
}

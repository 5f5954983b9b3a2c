// The independent oracle: @cloud-copilot/iam-simulate (AGPL; a dev dependency, run only by tests
// and benches, never a source of code). Its core engine is called with already-loaded policies
// (its public runUnsafeSimulation re-loads every policy on every call). The core is not in the
// package's `exports` map, so it is imported by path.

import { loadPolicy } from "@cloud-copilot/iam-policy";
import type { EvalDecision } from "../../../src/policy/evaluate.js";

const dist = new URL("../../../node_modules/@cloud-copilot/iam-simulate/dist/esm/", import.meta.url);
const load = async <T,>(path: string): Promise<T> => (await import(new URL(path, dist).href)) as T;

interface PeerStatement {
  policyId: string;
  statement: { index(): number };
}
interface PeerIdentityAnalysis {
  denyStatements: PeerStatement[];
  allowStatements: PeerStatement[];
}
interface PeerAnalysis {
  result: string;
  identityAnalysis?: PeerIdentityAnalysis;
  permissionBoundaryAnalysis?: PeerIdentityAnalysis;
}

const core = await load<{ authorize: (request: unknown) => PeerAnalysis }>("core_engine/CoreSimulatorEngine.js");
const { AwsRequestImpl } = await load<{
  AwsRequestImpl: new (principal: string, resource: { resource: string; accountId: string }, action: string, context: unknown) => unknown;
}>("request/request.js");
const { RequestContextImpl } = await load<{ RequestContextImpl: new (values: Record<string, string | string[]>) => unknown }>("requestContext.js");
const { DiscoveryContextKeyConstraints } = await load<{ DiscoveryContextKeyConstraints: new (c: unknown[]) => unknown }>(
  "context_keys/discoveryContextKeyConstraints.js",
);

const DECISION: Record<string, EvalDecision> = { Allowed: "allowed", ExplicitlyDenied: "explicitDeny", ImplicitlyDenied: "implicitDeny" };
const STRICT = { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) };

export type PeerPolicy = ReturnType<typeof loadPolicy>;

/** Load a policy document (JSON value) the peer's way; `name` comes back as the statement's policyId. */
export function peerPolicy(json: unknown, name: string): PeerPolicy {
  return loadPolicy(json as Parameters<typeof loadPolicy>[0], { name });
}

export interface PeerRequest {
  readonly principal: string;
  readonly accountId: string;
  readonly action: string;
  readonly resource: string;
  /** A string is a single-valued key, an array a multivalued one. */
  readonly context: Record<string, string | string[]>;
}

export interface PeerAnswer {
  readonly decision: EvalDecision;
  /** [policy name, 0-based statement index] of the identity statements that decided it (as ours reports them). */
  readonly matched: [string, number][];
}

const ids = (xs: readonly PeerStatement[]): [string, number][] => xs.map((s) => [s.policyId, s.statement.index() - 1]);

export function peerAuthorize(identity: readonly PeerPolicy[], boundary: readonly PeerPolicy[] | undefined, r: PeerRequest): PeerAnswer {
  const request = new AwsRequestImpl(r.principal, { resource: r.resource, accountId: r.accountId }, r.action, new RequestContextImpl(r.context));
  const analysis = core.authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    permissionBoundaries: boundary,
    vpcEndpointPolicies: undefined,
    simulationParameters: STRICT,
    serviceSettings: {},
  });
  const decision = DECISION[analysis.result];
  if (decision === undefined) throw new Error(`peer answered ${analysis.result}`);
  const identityAnalysis = analysis.identityAnalysis ?? { denyStatements: [], allowStatements: [] };
  const matched = ids(decision === "explicitDeny" ? identityAnalysis.denyStatements : identityAnalysis.allowStatements);
  return { decision, matched };
}

// One oracle case decided by both engines: iamgraph's evaluator and the peer.

import type { PolicyInEffect } from "../../../src/policy/document.js";
import { type EvalDecision, evaluatePolicies } from "../../../src/policy/evaluate.js";
import { parsePolicyDocument } from "../../../src/policy/parse.js";
import { type ContextEntry, buildContext } from "../../../src/policy/request.js";
import { ACCOUNT, type OracleCase, PRINCIPAL } from "./generate.js";
import { source } from "../helpers/policies.js";
import { peerAuthorize, peerPolicy } from "./peer.js";

export interface Answer {
  readonly decision: EvalDecision;
  /** "policyName#statementIndex" of the identity statements reported as deciding, sorted. */
  readonly matched: string[];
}

const keyOf = ([name, index]: [string, number]) => `${name}#${index}`;

function ours(docs: readonly unknown[], prefix: string, role: "identity" | "boundary"): PolicyInEffect[] {
  return docs.map((json, i) => {
    const parsed = parsePolicyDocument(JSON.stringify(json), "identity");
    if (!parsed.ok) throw new Error(`generated policy does not parse: ${parsed.reason}\n${JSON.stringify(json)}`);
    return { source: source(`${prefix}${i}`, role), document: parsed.document };
  });
}

export function decideOurs(c: OracleCase): Answer {
  const entries = Object.entries(c.context).map(([key, v]): ContextEntry =>
    Array.isArray(v) ? { key, type: "stringList", values: v } : { key, type: "string", values: [v] },
  );
  const result = evaluatePolicies(ours(c.identity, "p", "identity"), c.boundary && ours(c.boundary, "b", "boundary"), {
    action: c.action,
    resource: c.resource,
    context: buildContext(entries),
  });
  const matched = result.matchedStatements.map((m) => keyOf([m.source.policyName, m.statementIndex])).sort();
  return { decision: result.decision, matched };
}

export function decidePeer(c: OracleCase): Answer {
  const identity = c.identity.map((json, i) => peerPolicy(json, `p${i}`));
  const boundary = c.boundary?.map((json, i) => peerPolicy(json, `b${i}`));
  const answer = peerAuthorize(identity, boundary, { principal: PRINCIPAL, accountId: ACCOUNT, action: c.action, resource: c.resource, context: c.context });
  return { decision: answer.decision, matched: answer.matched.map(keyOf).sort() };
}

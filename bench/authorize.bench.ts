/**
 * Authorize at AWS quota size, in-process: a user in 10 groups × 10 managed policies × 20
 * statements (StringEquals/StringLike on aws:PrincipalTag, IpAddress on aws:SourceIp,
 * DateLessThan on aws:CurrentTime, Bool on aws:SecureTransport, ${aws:username} in Resource),
 * plus 10 inline policies and a boundary. Ours (`evaluate` on a compiled set) against the peer
 * @cloud-copilot/iam-simulate (AGPL; a dev dependency used only here, never a source of code)
 * on the same documents, requests and context. Every decision and every set of matched
 * statements is compared, and the bench fails on any difference. Requests vary aws:CurrentTime
 * across the policies' date bounds and leave keys out, so the missing-key paths are compared too.
 *
 * Both engines get the same warm-up (WARMUP calls) and the same measured calls (MEASURED), over
 * the same requests in the same order: no time cap decides how much of the work each one does.
 *
 * Latency is timed per call with a synchronous loop (an `await` per call would cost more than
 * the call). Compile time: cold (every document compiled) and with the 100 shared managed
 * policies pre-compiled, as the server does when many principals share them.
 */
import { performance } from "node:perf_hooks";
import { loadPolicy } from "@cloud-copilot/iam-policy"; // the peer's own dependency: its policy loader
import { runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { peerAuthorize, peerPolicy } from "../test/policy/oracle/peer.js";
import type { PolicyInEffect, PolicySource } from "../src/policy/document.js";
import { compilePolicy, compilePolicySet, type CompiledPolicy } from "../src/policy/compile.js";
import { type EvalDecision, evaluate } from "../src/policy/evaluate.js";
import { parsePolicyDocument } from "../src/policy/parse.js";
import { type AuthorizationRequest, type ContextEntry, buildContext } from "../src/policy/request.js";
import { percentile, reports, type BackendName, type Bench, type Row, mulberry32 } from "./support.js";

// The peer's core engine with already-loaded policies (test/policy/oracle/peer.ts, shared with
// the differential test): the fair counterpart of `evaluate` on a compiled set.

const name = "authorize";
// In-process: no database. Row.backend only knows database backends, so this label is cast.
const backend = "in-process" as BackendName;

const ACCOUNT = "123456789012";
const USER = { type: "user" as const, name: "alice", arn: `arn:aws:iam::${ACCOUNT}:user/alice` };
const SERVICES = ["s3", "ec2", "dynamodb", "lambda", "sqs", "sns", "logs", "rds", "secretsmanager", "ssm", "ecr", "iam"];
const VERBS = ["Get", "List", "Describe", "Put", "Create", "Delete", "Update", "Tag"];

function arn(service: string, path: string): string {
  if (service === "s3") return `arn:aws:s3:::${path}`;
  if (service === "iam") return `arn:aws:iam::${ACCOUNT}:user/${path}`;
  return `arn:aws:${service}:us-east-1:${ACCOUNT}:thing/${path}`;
}

type Json = Record<string, unknown>;

/** One statement of kind `j % 10` for service `svc` in policy `p`. */
function statement(p: number, j: number, svc: string): Json {
  const tag = (k: string, v: string) => ({ [`aws:PrincipalTag/${k}`]: v });
  switch (j % 10) {
    case 0:
      return { Effect: "Allow", Action: [`${svc}:Get${p}`, `${svc}:List${p}`, `${svc}:GetObject`], Resource: arn(svc, `p${p}-*`), Condition: { StringEquals: tag("team", `team-${p % 7}`) } };
    case 1:
      return { Effect: "Allow", Action: `${svc}:Describe*`, Resource: "*", Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", `192.168.${p}.0/24`] } } };
    case 2:
      return { Effect: "Allow", Action: [`${svc}:Put*`, `${svc}:Create*`], Resource: arn(svc, "home/${aws:username}/*"), Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } };
    case 3:
      return { Effect: "Deny", Action: `${svc}:Delete*`, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
    case 4:
      return { Effect: "Allow", Action: `${svc}:*`, Resource: arn(svc, `shared-${p}/*`), Condition: { StringLike: tag("project", "proj-*") } };
    case 5:
      return { Effect: "Deny", Action: [`${svc}:Put*`, `${svc}:Update*`], Resource: arn(svc, "locked-*") };
    case 6:
      return {
        Effect: "Allow",
        Action: `${svc}:Get*`,
        Resource: arn(svc, "team/${aws:PrincipalTag/team}/*"),
        Condition: { StringEquals: tag("team", `team-${p % 5}`), IpAddress: { "aws:SourceIp": "10.1.0.0/16" } },
      };
    case 7:
      return { Effect: "Allow", Action: [`${svc}:Tag*`, `${svc}:Untag*`], Resource: arn(svc, "*"), Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" }, Bool: { "aws:SecureTransport": "true" } } };
    case 8:
      return { Effect: "Deny", Action: `${svc}:*`, Resource: arn(svc, `quarantine-${p}/*`), Condition: { DateLessThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } } };
    default:
      return { Effect: "Allow", Action: [`${svc}:Update${p}`, `${svc}:List*`], Resource: [arn(svc, `p${p}/*`), arn(svc, "home/${aws:username}")], Condition: { StringLike: tag("team", "team-*") } };
  }
}

interface NamedDoc {
  readonly source: PolicySource;
  readonly json: Json;
}

function scenario(): { identity: NamedDoc[]; boundary: NamedDoc[] } {
  const rng = mulberry32(42);
  const identity: NamedDoc[] = [];
  for (let g = 0; g < 10; g++) {
    const group = { name: `group-${g}`, arn: `arn:aws:iam::${ACCOUNT}:group/group-${g}` };
    for (let m = 0; m < 10; m++) {
      const p = g * 10 + m;
      // Each managed policy covers four services, so a request's service bucket holds about a
      // third of all statements: a realistic, not a best-case, candidate list.
      const services = Array.from({ length: 4 }, () => SERVICES[Math.floor(rng() * SERVICES.length)]!);
      const Statement = Array.from({ length: 20 }, (_, j) => statement(p, j, services[j % 4]!));
      const policyArn = `arn:aws:iam::${ACCOUNT}:policy/managed-${p}`;
      identity.push({
        source: { kind: "managed", policyArn, policyName: `managed-${p}`, versionId: "v1", attachedTo: { type: "group", ...group }, viaGroup: group, role: "identity" },
        json: { Version: "2012-10-17", Statement },
      });
    }
  }
  for (let i = 0; i < 10; i++) {
    const svc = SERVICES[i % SERVICES.length]!;
    identity.push({
      source: { kind: "inline", policyName: `inline-${i}`, attachedTo: USER, role: "identity" },
      json: { Version: "2012-10-17", Statement: Array.from({ length: 5 }, (_, j) => statement(200 + i, j * 2 + 1, svc)) },
    });
  }
  const boundary: NamedDoc[] = [
    {
      source: { kind: "managed", policyArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`, policyName: "boundary", versionId: "v1", attachedTo: USER, role: "boundary" },
      json: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: SERVICES.filter((s) => s !== "rds").map((s) => `${s}:*`), Resource: "*" },
          { Effect: "Deny", NotAction: ["s3:*", "ec2:*", "dynamodb:*", "lambda:*", "sqs:*", "sns:*", "logs:*", "rds:*", "secretsmanager:*", "ssm:*", "iam:*"], Resource: "*", Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } } },
        ],
      },
    },
  ];
  return { identity, boundary };
}

interface Req {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

function requests(count: number): Req[] {
  const rng = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const out: Req[] = [];
  for (let i = 0; i < count; i++) {
    const svc = pick(SERVICES);
    const p = Math.floor(rng() * 100);
    const verb = pick(VERBS);
    const action = rng() < 0.2 ? `${svc}:${pick(["Get", "List", "Update"])}${p}` : `${svc}:${verb}${pick(["Object", "Item", "Thing", ""])}`;
    const resource = arn(svc, pick([`p${p}-x`, `p${p}/y`, "home/alice/doc", "home/bob/doc", "team/team-3/z", `shared-${p}/k`, "locked-1", `quarantine-${p}/q`, "other"]));
    const context: Record<string, string> = {
      "aws:username": "alice",
      "aws:PrincipalTag/team": `team-${Math.floor(rng() * 7)}`,
      "aws:PrincipalTag/project": pick(["proj-a", "other"]),
      "aws:SourceIp": pick(["10.1.2.3", "192.168.5.9", "203.0.113.7"]),
      // Either side of the statements' DateLessThan bounds (2020 and 2030).
      "aws:CurrentTime": pick(["2019-06-01T00:00:00Z", "2026-11-28T10:00:00Z", "2031-01-01T00:00:00Z"]),
      "aws:SecureTransport": pick(["true", "true", "false"]),
      "aws:RequestedRegion": pick(["us-east-1", "us-east-1", "eu-west-1"]),
    };
    // Leave keys out (one in six): missing-key rules, negated operators and unresolved variables.
    for (const key of Object.keys(context)) if (rng() < 1 / 6) delete context[key];
    out.push({ action, resource, context });
  }
  return out;
}

const TYPES: Record<string, ContextEntry["type"]> = { "aws:sourceip": "ip", "aws:currenttime": "date", "aws:securetransport": "boolean" };

function ourRequest(r: Req): AuthorizationRequest {
  const entries = Object.entries(r.context).map(([key, v]): ContextEntry => ({
    key,
    type: TYPES[key.toLowerCase()] ?? "string",
    values: Array.isArray(v) ? v : [v],
  }));
  return { action: r.action, resource: r.resource, context: buildContext(entries) };
}

function ourPolicies(docs: readonly NamedDoc[]): PolicyInEffect[] {
  return docs.map(({ source, json }) => {
    const parsed = parsePolicyDocument(JSON.stringify(json), "identity");
    if (!parsed.ok) throw new Error(`${source.policyName}: ${parsed.reason}`);
    return { source, document: parsed.document };
  });
}

const PEER_DECISION: Record<string, EvalDecision> = { Allowed: "allowed", ExplicitlyDenied: "explicitDeny", ImplicitlyDenied: "implicitDeny" };

/** The same warm-up and the same measured calls for both engines. */
const WARMUP = 20;
const MEASURED = 200;

interface Answer {
  readonly decision: EvalDecision;
  /** "policyName#statementIndex" of the identity statements that decided it, sorted. */
  readonly matched: string;
}

interface Timing {
  readonly ops: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

/** Times `op` per call for up to `maxSeconds` (or `maxOps` calls), after `warmup` untimed rounds. Latencies in µs. */
function time(label: string, count: number, maxSeconds: number, warmup: number, op: (i: number) => void, maxOps = Infinity): Timing {
  for (let i = 0; i < warmup; i++) op(i % count);
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  let i = 0;
  while (i < maxOps && performance.now() < deadline) {
    const t0 = performance.now();
    op(i % count);
    latencies.push((performance.now() - t0) * 1000);
    i++;
  }
  const seconds = (performance.now() - start) / 1000;
  const t = { ops: i, seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  process.stderr.write(`  ✓ ${label}: ${i} ops in ${seconds.toFixed(2)}s, p50 ${t.p50.toFixed(1)} µs, p99 ${t.p99.toFixed(1)} µs\n`);
  return t;
}

function toRow(caseName: string, t: Timing, note: string): Row {
  return { bench: name, backend, case: caseName, ops: t.ops, seconds: t.seconds, rate: t.ops / t.seconds, p50Ms: t.p50 / 1000, p99Ms: t.p99 / 1000, note };
}

const us = (t: Timing) => `p50 ${t.p50.toFixed(1)} µs, p99 ${t.p99.toFixed(1)} µs`;

const bench: Bench = {
  name,
  description: "evaluate at quota size (10 groups × 10 managed × 20 statements + inline + boundary) vs @cloud-copilot/iam-simulate",
  async run({ scale }) {
    const { identity, boundary } = scenario();
    const reqs = requests(500);
    const ours = { identity: ourPolicies(identity), boundary: ourPolicies(boundary) };
    const statements = ours.identity.reduce((n, p) => n + p.document.statements.length, 0);
    process.stderr.write(`  scenario: ${ours.identity.length} identity policies, ${statements} statements, boundary of ${ours.boundary[0]!.document.statements.length}; ${reqs.length} requests\n`);

    // Compile: cold (every document), and with the shared managed policies compiled once.
    // Cold: fresh document objects each time (compilations are remembered per document object).
    // The first 10 copies only warm the JIT up.
    const copies = Array.from({ length: 50 }, () => ({ identity: ourPolicies(identity), boundary: ourPolicies(boundary) }));
    for (const c of copies.splice(0, 10)) compilePolicySet(c.identity, c.boundary);
    const cold = time("compile, cold", copies.length, 60, 0, (i) => void compilePolicySet(copies[i]!.identity, copies[i]!.boundary), copies.length);
    const cache = new Map<string, CompiledPolicy>();
    for (const p of ours.identity) if (p.source.policyArn !== undefined) cache.set(`${p.source.policyArn}#${p.source.versionId}`, compilePolicy(p));
    const shared = time("compile, shared managed pre-compiled", 1, 3 * scale, 20, () => {
      // Another principal's set: cached documents with this principal's provenance, inline compiled fresh.
      const identitySet = ours.identity.map((p) => {
        const hit = p.source.policyArn === undefined ? undefined : cache.get(`${p.source.policyArn}#${p.source.versionId}`);
        return hit === undefined ? p : { ...hit, source: p.source };
      });
      compilePolicySet(identitySet, ours.boundary);
    });
    const set = compilePolicySet(ours.identity, ours.boundary);
    const ourReqs = reqs.map(ourRequest);
    const ourAnswer = (r: AuthorizationRequest): Answer => {
      const result = evaluate(set, r);
      return { decision: result.decision, matched: result.matchedStatements.map((m) => `${m.source.policyName}#${m.statementIndex}`).sort().join(",") };
    };
    const ourAnswers = ourReqs.map(ourAnswer);
    const ourDecisions = ourAnswers.map((a) => a.decision);

    // The peer, on the same JSON documents, requests and context.
    const loaded = identity.map((d) => peerPolicy(d.json, d.source.policyName));
    const loadedBoundary = boundary.map((d) => peerPolicy(d.json, d.source.policyName));
    const peerAnswer = (r: Req): Answer => {
      const a = peerAuthorize(loaded, loadedBoundary, { principal: USER.arn, accountId: ACCOUNT, action: r.action, resource: r.resource, context: r.context });
      return { decision: a.decision, matched: a.matched.map(([p, i]) => `${p}#${i}`).sort().join(",") };
    };
    const simulation = (r: Req): Simulation => ({
      request: { principal: USER.arn, action: r.action, resource: { resource: r.resource, accountId: ACCOUNT }, contextVariables: r.context },
      identityPolicies: identity.map((d) => ({ name: d.source.policyName, policy: d.json })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: boundary.map((d) => ({ name: d.source.policyName, policy: d.json })),
    });
    const peerAnswers = reqs.map(peerAnswer);
    const peerDecisions = peerAnswers.map((a) => a.decision);
    const publicDecisions = reqs.slice(0, 50).map((r) => PEER_DECISION[runUnsafeSimulation(simulation(r), {})] ?? "?");

    const disagreements = reqs.flatMap((r, i) => {
      const o = ourAnswers[i]!;
      const p = peerAnswers[i]!;
      return o.decision === p.decision && o.matched === p.matched
        ? []
        : [`  ${r.action} ${r.resource} ${JSON.stringify(r.context)}: ours ${o.decision} [${o.matched}], peer ${p.decision} [${p.matched}]`];
    });
    if (disagreements.length > 0) {
      throw new Error(`authorize: ${disagreements.length} of ${reqs.length} requests differ from the peer (decision or matched statements):\n${disagreements.slice(0, 10).join("\n")}`);
    }

    // Timed: the same warm-up and measured calls for both, over the same requests.
    const measured = MEASURED * scale;
    const evalT = time("ours: evaluate", ourReqs.length, Infinity, WARMUP, (i) => void evaluate(set, ourReqs[i]!), measured);
    const peerT = time("peer: core authorize, pre-loaded policies", reqs.length, Infinity, WARMUP, (i) => void peerAnswer(reqs[i]!), measured);
    const peerLoad = time("peer: load 110 policies (its compile)", 1, 2 * scale, 3, () => void identity.map((d) => loadPolicy(d.json, { name: d.source.policyName })));
    const publicT = time("peer: runUnsafeSimulation (public API, loads per call)", reqs.length, 5 * scale, 3, (i) => void runUnsafeSimulation(simulation(reqs[i]!), {}));

    const publicMismatch = publicDecisions.filter((d, i) => d !== peerDecisions[i]).length;
    const tally = (ds: readonly EvalDecision[]) => ["allowed", "explicitDeny", "implicitDeny"].map((d) => `${d} ${ds.filter((x) => x === d).length}`).join(", ");

    reports.push(
      [
        `authorize at quota size: ${ours.identity.length} identity policies (${statements} statements) + boundary, ${reqs.length} requests (${tally(ourDecisions)})`,
        `  compile, cold:                         ${cold.p50.toFixed(0)} µs p50 (${(cold.p50 / 1000).toFixed(2)} ms)`,
        `  compile, shared managed pre-compiled:  ${shared.p50.toFixed(0)} µs p50 (${(shared.p50 / 1000).toFixed(3)} ms)`,
        `  ours  evaluate:                        ${us(evalT)}, ${Math.round(evalT.ops / evalT.seconds).toLocaleString("en-US")}/s`,
        `  peer  core authorize, loaded policies: ${us(peerT)}, ${Math.round(peerT.ops / peerT.seconds).toLocaleString("en-US")}/s`,
        `  peer  runUnsafeSimulation:             ${us(publicT)}; loading the 110 policies alone: ${(peerLoad.p50 / 1000).toFixed(2)} ms`,
        `  speed-up at p99 vs peer core: ${(peerT.p99 / evalT.p99).toFixed(1)}×`,
        `  decisions and matched statements: all ${reqs.length} agree with the peer (a difference fails the bench)`,
        `  timed: ${WARMUP} warm-up and ${measured} measured calls for each engine`,
        `  (peer public API vs peer core on the first 50: ${publicMismatch} differ)`,
      ].join("\n"),
    );
    return [
      toRow("compile cold (110 policies)", cold, `p50 ${(cold.p50 / 1000).toFixed(2)} ms`),
      toRow("compile, managed pre-compiled", shared, `p50 ${cold.p50 > 0 ? (shared.p50 / 1000).toFixed(3) : "?"} ms`),
      toRow("ours: evaluate", evalT, us(evalT)),
      toRow("peer: core authorize", peerT, `${us(peerT)}; all ${reqs.length} answers agree`),
      toRow("peer: runUnsafeSimulation", publicT, us(publicT)),
    ];
  },
};

export default bench;

import { performance } from "node:perf_hooks";
import { principalFacts } from "../src/authz/effective-actions.js";
import { readVersions } from "../src/catalogue/aws-managed-artifact.js";
import { serviceReference } from "../src/catalogue/service-reference.js";
import { compilePolicySet } from "../src/policy/compile.js";
import type { PolicyInEffect, PolicySource } from "../src/policy/document.js";
import { effectiveActions } from "../src/policy/effective-actions.js";
import { parsePolicyDocument } from "../src/policy/parse.js";
import type { Bench, Row } from "./support.js";
import { mulberry32 } from "./support.js";

// effectiveActions for a principal at AWS's quotas (issue 14: goal < 50 ms): 10 groups × 10
// AWS-managed policies + 10 attached directly (110 real documents from the catalogue artifact,
// a seeded pick that includes ReadOnlyAccess) and a permissions boundary (PowerUserAccess);
// and AdministratorAccess under the same boundary (every one of the ~22,000 actions walked).
// Pure: the compiled set as the authorizer's cache holds it, no database. "cold" is the first
// call on freshly compiled documents (each statement's actions expanded once, then remembered
// per compiled document and shared by every holder); "warm" the calls after it.

const user = { type: "user" as const, name: "alice", arn: "arn:aws:iam::123456789012:user/alice" };

function pick<T>(items: readonly T[], count: number, seed: number): T[] {
  const next = mulberry32(seed);
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
  return out;
}

const bench: Bench = {
  name: "effective-actions",
  description: "User.effectiveActions at AWS's quotas (110 AWS-managed policies + boundary), cold and warm",
  async run(ctx) {
    const reference = await serviceReference();
    const latest = new Map<string, { path: string; text: string; versionId: string }>();
    for await (const v of readVersions()) latest.set(v.name, { path: v.path, text: v.document, versionId: v.versionId });
    const policy = (name: string, role: "identity" | "boundary", viaGroup?: string): PolicyInEffect => {
      const v = latest.get(name)!;
      const parsed = parsePolicyDocument(v.text, "identity");
      if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
      const group = viaGroup === undefined ? undefined : { name: viaGroup, arn: `arn:aws:iam::123456789012:group/${viaGroup}` };
      const source: PolicySource = {
        kind: "managed",
        policyArn: `arn:aws:iam::aws:policy${v.path}${name}`,
        policyName: name,
        versionId: v.versionId,
        attachedTo: group === undefined ? user : { type: "group", ...group },
        ...(group === undefined ? {} : { viaGroup: group }),
        role,
      };
      return { source, document: parsed.document };
    };
    const names = ["ReadOnlyAccess", ...pick([...latest.keys()].filter((n) => n !== "ReadOnlyAccess" && n !== "AdministratorAccess").sort(), 109, 20261202)];
    const identity = names.map((n, i) => policy(n, "identity", i < 100 ? `group${Math.floor(i / 10)}` : undefined));
    const boundary = [policy("PowerUserAccess", "boundary")];
    const facts = principalFacts({ type: "user", id: "AIDAALICE", name: "alice", arn: user.arn, accountId: "123456789012", tags: [], boundaryArn: boundary[0]!.source.policyArn! });
    const statements = identity.reduce((n, p) => n + p.document.statements.length, 0);

    const rows: Row[] = [];
    const measure = (label: string, make: () => ReturnType<typeof compilePolicySet>) => {
      const set = make();
      const t0 = performance.now();
      const first = effectiveActions(set, reference, facts);
      const cold = performance.now() - t0;
      const runs = Math.max(5, Math.round(20 * ctx.scale));
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        effectiveActions(set, reference, facts);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const seconds = times.reduce((a, b) => a + b, 0) / 1000;
      const grants = first.actions.reduce((n, a) => n + a.grants.length, 0);
      rows.push({ bench: "effective-actions", backend: "none", case: `${label} cold (first call)`, ops: 1, seconds: cold / 1000, rate: 1000 / cold, p50Ms: cold, p99Ms: cold, note: `${first.actions.length} actions, ${grants} grants` });
      rows.push({ bench: "effective-actions", backend: "none", case: `${label} warm`, ops: runs, seconds, rate: runs / seconds, p50Ms: times[Math.floor(runs / 2)]!, p99Ms: times[runs - 1]!, note: `goal < 50 ms` });
    };
    measure(`110 managed (${statements} statements) + boundary`, () => compilePolicySet(identity, boundary));
    measure("AdministratorAccess + boundary", () => compilePolicySet([policy("AdministratorAccess", "identity")], boundary));
    return rows;
  },
};

export default bench;

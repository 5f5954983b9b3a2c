import { performance } from "node:perf_hooks";
import { principalFacts, rememberedEffectiveActions } from "../src/authz/effective-actions.js";
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
// per compiled document and shared by every holder); "new set" a freshly linked set of known
// documents (what a principal gets after an attach/detach); "warm recomputed" repeated calls of
// the pure computation; "warm remembered" through the adapter's memo. EFFECTIVE_BASELINE=<checkout>
// (e.g. /work/main) also runs that checkout's effectiveActions on the same sets, side by side.

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
    const principal = { type: "user" as const, id: "AIDAALICE", name: "alice", arn: user.arn, accountId: "123456789012", tags: [], boundaryArn: boundary[0]!.source.policyArn! };
    const baselineDir = process.env.EFFECTIVE_BASELINE;
    const algorithms: [string, typeof effectiveActions][] = [["after", effectiveActions]];
    if (baselineDir) algorithms.unshift(["before", ((await import(`${baselineDir}/src/policy/effective-actions.ts`)) as { effectiveActions: typeof effectiveActions }).effectiveActions]);
    const row = (c: string, times: number[], note: string) => {
      times.sort((a, b) => a - b);
      const seconds = times.reduce((a, b) => a + b, 0) / 1000;
      rows.push({ bench: "effective-actions", backend: "none", case: c, ops: times.length, seconds, rate: times.length / seconds, p50Ms: times[Math.floor(times.length / 2)]!, p99Ms: times[times.length - 1]!, note });
    };
    const timed = (f: () => unknown) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const measure = (label: string, identityOf: () => PolicyInEffect[], boundaryOf: () => PolicyInEffect[]) => {
      const runs = Math.max(5, Math.round(20 * ctx.scale));
      for (const [name, run] of algorithms) {
        run(compilePolicySet(identityOf(), boundaryOf()), reference, facts); // JIT warm-up; then documents never seen (freshly parsed):
        const colds = [1, 2, 3].map(() => {
          const set = compilePolicySet(identityOf(), boundaryOf());
          return timed(() => run(set, reference, facts));
        });
        const ids = identityOf();
        const bs = boundaryOf();
        run(compilePolicySet(ids, bs), reference, facts);
        const newSet = Array.from({ length: 5 }, () => {
          const set = compilePolicySet(ids, bs);
          return timed(() => run(set, reference, facts));
        });
        const set = compilePolicySet(ids, bs);
        const result = run(set, reference, facts);
        const grants = result.actions.reduce((n, a) => n + a.grants.length, 0);
        row(`${label} ${name} cold (new documents)`, colds, `${result.actions.length} actions, ${grants} grants`);
        row(`${label} ${name} new set (known documents)`, newSet, "");
        row(`${label} ${name} warm recomputed`, Array.from({ length: runs }, () => timed(() => run(set, reference, facts).summary)), "goal < 50 ms");
        if (name === "after") row(`${label} ${name} warm remembered`, Array.from({ length: runs }, () => timed(() => rememberedEffectiveActions(set, reference, principal, {}))), "");
      }
    };
    const reparsed = (ps: readonly PolicyInEffect[]) => () =>
      ps.map((p) => {
        const parsed = parsePolicyDocument(latest.get(p.source.policyName)!.text, "identity");
        if (!parsed.ok) throw new Error(parsed.reason);
        return { source: p.source, document: parsed.document };
      });
    measure(`110 managed (${statements} statements) + boundary`, reparsed(identity), reparsed(boundary));
    measure("AdministratorAccess + boundary", reparsed([policy("AdministratorAccess", "identity")]), reparsed(boundary));
    return rows;
  },
};

export default bench;

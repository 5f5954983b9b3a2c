// What a policy allows that another does not — the engine behind CheckNoNewAccess and
// CheckAccessNotGranted, decided by the evaluator rather than by comparing patterns:
//
// 1. Actions: every concrete action the new policy's Allow statements can name, expanded over
//    the service authorization reference (`s3:Get*` → s3:GetObject, …; NotAction → every other
//    action). Actions the reference does not know stand for themselves (`s3:GetObjekt`, or
//    `foo:Get*` for an unknown service), and `*:*` stands for "an action of a service not in
//    the reference" where a statement grants any action. Actions matched by exactly the same
//    statements of both policies are decided alike: one of them is evaluated per group.
// 2. Resources: per group, one resource per membership class of the statements' Resource /
//    NotResource patterns (resource-classes.ts) — exact glob containment, so a new pattern
//    wider than the old (`arn:aws:s3:::b*` against `arn:aws:s3:::b/*`) is found with the
//    resource that shows it (`arn:aws:s3:::b`).
// 3. Conditions: per class, every context of the conditions' candidate values
//    (context-candidates.ts): absent keys, each named value and its neighbours. A new statement
//    whose conditions are weaker or absent is found by a context its conditions let through.
// 4. The evaluator decides each (action, resource, context) under both policies; new access is
//    a request the new policy allows and the existing one does not.
//
// Conservative where it cannot be exact: past the resource-state or context budget, or with
// policy variables in resources (taken absent, a value no policy names, or a literal segment of
// the policies' resources), a group that was not fully explored is reported as undecided new
// access (FAIL), never as PASS.

import type { PolicyDocument, PolicyInEffect, PolicyStatement } from "../document.js";
import { type CompiledPolicySet, compileDocument, compilePolicySet } from "../compile.js";
import { evaluate } from "../evaluate.js";
import type { ContextEntry } from "../request.js";
import { expandAction, type ServiceReference } from "../service-reference.js";
import { statementMatchesAction, type CompiledStatement } from "../statement.js";
import { parseTemplate, resolvePieces } from "../variables.js";
import { OTHER_VALUE, contextSpace, contexts } from "./context-candidates.js";
import { resourceClasses, walkPattern, walkPieces, type WalkPattern } from "./resource-classes.js";

/** An action of a service the reference does not know, for statements granting any action. */
export const UNLISTED_ACTION = "*:*";
const MAX_CONTEXTS = 4096;
const MAX_ASSIGNMENTS = 64;
const MAX_REASONS = 50;
const MAX_SEGMENTS = 8;

export interface NewAccess {
  readonly statementIndex: number;
  readonly action: string;
  /** How many other actions behave exactly like `action` under both policies. */
  readonly alike: number;
  readonly resource: string;
  /** The context keys that took part, with the values of the first context found (absent = []). */
  readonly context: readonly { readonly key: string; readonly values: readonly string[] }[];
  readonly undecided: boolean;
}

const source = (name: string): PolicyInEffect["source"] => ({
  kind: "inline",
  policyName: name,
  attachedTo: { type: "user", name: "check", arn: "arn:aws:iam::000000000000:user/check" },
  role: "identity",
});

interface Side {
  readonly document: PolicyDocument;
  readonly statements: readonly CompiledStatement[];
  readonly set: CompiledPolicySet;
}

function side(document: PolicyDocument, name: string): Side {
  return { document, statements: compileDocument(document).statements, set: compilePolicySet([{ source: source(name), document }]) };
}

/** What a comparison did (for benchmarks): action groups, resource classes, requests decided. */
export interface ComparisonStats {
  groups: number;
  classes: number;
  requests: number;
}

/** Every request the new policy allows and the existing one does not, one per statement and kind of action. */
export function newAccess(newDocument: PolicyDocument, existingDocument: PolicyDocument, reference: ServiceReference, stats?: ComparisonStats): NewAccess[] {
  const fresh = side(newDocument, "new");
  const old = side(existingDocument, "existing");
  const all = [...fresh.statements.map((s) => ({ side: fresh, s })), ...old.statements.map((s) => ({ side: old, s }))];
  const found: NewAccess[] = [];
  for (const group of actionGroups(fresh, all, reference)) {
    const relevant = group.statements.map((i) => all[i]!);
    if (stats) stats.groups++;
    for (const hit of decideGroup(group.action, relevant, fresh, old, stats)) {
      found.push({ ...hit, action: group.display, alike: group.size - 1 });
      if (found.length >= MAX_REASONS) return found;
    }
  }
  return found;
}

interface ActionGroup {
  readonly action: string;
  readonly display: string;
  readonly size: number;
  /** Positions in `all` of the statements whose Action/NotAction matches. */
  readonly statements: readonly number[];
}

function actionGroups(fresh: Side, all: readonly { side: Side; s: CompiledStatement }[], reference: ServiceReference): ActionGroup[] {
  const every = expandAction(reference, "*") ?? [];
  const candidates = new Map<string, string>(); // lower-cased → display
  const add = (a: string) => {
    const lower = a.toLowerCase();
    if (!candidates.has(lower)) candidates.set(lower, a);
  };
  fresh.document.statements.forEach((st, i) => {
    if (st.effect !== "Allow") return;
    const compiled = fresh.statements[i]!;
    if (st.notAction !== undefined) {
      for (const a of every) if (statementMatchesAction(compiled, a.toLowerCase())) add(a);
      add(UNLISTED_ACTION);
      return;
    }
    for (const pattern of st.action ?? []) {
      if (pattern === "*") {
        every.forEach(add);
        add(UNLISTED_ACTION);
        continue;
      }
      const expanded = expandAction(reference, pattern);
      if (expanded === undefined || (expanded.length === 0 && !/[*?]/.test(pattern))) add(pattern);
      else expanded.forEach(add);
    }
  });
  const groups = new Map<string, { action: string; display: string; size: number; statements: number[] }>();
  for (const [lower, display] of candidates) {
    const statements: number[] = [];
    all.forEach(({ s }, i) => {
      if (statementMatchesAction(s, lower)) statements.push(i);
    });
    const signature = statements.join(",");
    const g = groups.get(signature);
    if (g === undefined) groups.set(signature, { action: lower, display, size: 1, statements });
    else g.size++;
  }
  return [...groups.values()].filter((g) => g.statements.some((i) => all[i]!.side === fresh && all[i]!.s.effect === "Allow"));
}

type Hit = Omit<NewAccess, "action" | "alike">;

function decideGroup(action: string, relevant: readonly { side: Side; s: CompiledStatement }[], fresh: Side, old: Side, stats?: ComparisonStats): Hit[] {
  const raw = relevant.map(({ side, s }) => ({ side, s, st: side.document.statements[s.statementIndex]! as PolicyStatement }));
  const newAllows = raw.filter((r) => r.side === fresh && r.s.effect === "Allow");
  const undecided = (): Hit[] =>
    newAllows.map((r) => ({ statementIndex: r.s.statementIndex, resource: "*", context: [], undecided: true }));

  // Policy variables in resources: each takes a few values (see the file comment).
  const variableKeys = new Map<string, string>();
  const segments = new Set<string>();
  for (const r of raw) {
    for (const p of r.st.resource ?? r.st.notResource ?? []) {
      const t = parseTemplate(p, r.side.document.version);
      for (const part of t.parts) {
        if (part.kind === "variable") variableKeys.set(part.lowerKey, part.key);
        else if (part.kind === "text" && !t.dynamic) resourceId(part.text).split(/[/:*?]/).filter((x) => x.length > 0).forEach((x) => segments.add(x));
      }
    }
  }
  const assignments = variableAssignments([...variableKeys.keys()], [...segments].slice(0, MAX_SEGMENTS));
  if (assignments === undefined) return undecided();

  for (const fixed of assignments) {
    const context = new Map<string, ContextEntry>();
    for (const [k, values] of fixed) if (values.length > 0) context.set(k, { key: variableKeys.get(k) ?? k, type: "string", values });
    // Each statement's patterns for this assignment (null: a variable without value, matches nothing).
    const owners: { statement: number; pattern: WalkPattern }[] = [];
    raw.forEach((r, i) => {
      for (const p of r.st.resource ?? r.st.notResource ?? []) {
        const t = parseTemplate(p, r.side.document.version);
        if (!t.dynamic) owners.push({ statement: i, pattern: walkPattern(p) });
        else {
          const pieces = resolvePieces(t, context);
          if (pieces !== null) owners.push({ statement: i, pattern: walkPieces(pieces) });
        }
      }
    });
    const holds = (i: number, matches: readonly boolean[]): boolean => {
      const any = owners.some((o, j) => o.statement === i && matches[j]);
      return raw[i]!.st.notResource !== undefined ? !any : raw[i]!.st.resource !== undefined && any;
    };
    const allowIdx = raw.map((r, i) => (r.side === fresh && r.s.effect === "Allow" ? i : -1)).filter((i) => i >= 0);
    const walk = resourceClasses(
      owners.map((o) => o.pattern),
      (m) => allowIdx.some((i) => holds(i, m)),
    );
    if (!walk.complete) return undecided();
    const hits = new Map<number, Hit>();
    // Only the statements holding the class's resource can decide it: their conditions (and
    // the resource variables) span the contexts to try. Classes held alike share them.
    const spaces = new Map<string, { space: ReturnType<typeof contextSpace>; list: ReturnType<typeof contexts> }>();
    if (stats) stats.classes += walk.classes.length;
    for (const cls of walk.classes) {
      const holding = raw.map((_, i) => i).filter((i) => holds(i, cls.matches));
      const signature = holding.join(",");
      let entry = spaces.get(signature);
      if (entry === undefined) {
        const space = contextSpace(holding.flatMap((i) => raw[i]!.s.conditions), [...variableKeys.values()]);
        entry = { space, list: contexts(space, fixed, MAX_CONTEXTS) };
        spaces.set(signature, entry);
      }
      const { space, list: requestContexts } = entry;
      if (requestContexts === undefined) return undecided();
      for (const ctx of requestContexts) {
        const request = { action, resource: cls.witness, context: ctx };
        if (stats) stats.requests++;
        const now = evaluate(fresh.set, request);
        if (now.decision !== "allowed" || evaluate(old.set, request).decision === "allowed") continue;
        for (const m of now.matchedStatements) {
          if (hits.has(m.statementIndex)) continue;
          hits.set(m.statementIndex, {
            statementIndex: m.statementIndex,
            resource: cls.witness,
            context: [...space.keys.values()].map(({ key }) => ({ key, values: ctx.get(key.toLowerCase())?.values ?? [] })),
            undecided: false,
          });
        }
      }
    }
    if (hits.size > 0) return [...hits.values()];
  }
  return [];
}

/** The resource part of an ARN (after its fifth colon): where a variable's value may recur. */
function resourceId(arn: string): string {
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(":", at);
    if (colon < 0) return arn;
    at = colon + 1;
  }
  return arn.slice(at);
}

/** Values for the resource variables: absent, a value no policy names, or a literal segment. */
function variableAssignments(keys: readonly string[], segments: readonly string[]): Map<string, string[]>[] | undefined {
  const choices: string[][] = [[], [OTHER_VALUE], ...segments.map((s) => [s])];
  let out: Map<string, string[]>[] = [new Map()];
  for (const k of keys) {
    out = out.flatMap((m) => choices.map((c) => new Map(m).set(k, c)));
    if (out.length > MAX_ASSIGNMENTS) return undefined;
  }
  return out;
}


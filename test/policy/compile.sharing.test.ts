// compilePolicy: one compiled document shared by many principals' sets. The compiled
// statements carry no provenance; each set pairs them with its own principal's source.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileDocument, compilePolicy, compilePolicySet, type CompiledPolicy } from "../../src/policy/compile.js";
import type { PolicyDocument, PolicyInEffect, PolicySource } from "../../src/policy/document.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { policies, request } from "./helpers/arbitraries.js";
import { policy, request as req } from "./helpers/policies.js";

const ACCOUNT = "arn:aws:iam::123456789012";

/** Where a managed policy reaches `user` through `group`. */
function viaGroup(user: string, group: string, policyName: string, role: "identity" | "boundary" = "identity"): PolicySource {
  return {
    kind: "managed",
    policyArn: `${ACCOUNT}:policy/${policyName}`,
    policyName,
    versionId: "v1",
    attachedTo: { type: "group", name: group, arn: `${ACCOUNT}:group/${group}` },
    viaGroup: { name: group, arn: `${ACCOUNT}:group/${group}` },
    role,
  };
}

/** Every principal gets its own provenance for the same documents. */
function sourcesFor(principal: string, docs: readonly PolicyDocument[], role: "identity" | "boundary" = "identity"): PolicySource[] {
  return docs.map((_, i) => viaGroup(principal, `${principal}-group-${i}`, `shared-${role}-${i}`, role));
}

/** A deep copy, so compilation from scratch cannot reuse a compilation remembered for the original. */
const fresh = (docs: readonly PolicyDocument[]): PolicyDocument[] => structuredClone(docs) as PolicyDocument[];

describe("compilePolicy shared across principals", () => {
  const readOnly = policy({
    Version: "2012-10-17",
    Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:username}/*" }],
  }).document;

  it("given one compiled policy in two principals' sets, when each is evaluated, then each reports its own provenance", () => {
    const shared = compilePolicy({ source: viaGroup("alice", "devs", "ReadOnly"), document: readOnly });
    const bobSource = viaGroup("bob", "ops", "ReadOnly");
    const alice = compilePolicySet([shared]);
    const bob = compilePolicySet([{ ...shared, source: bobSource }]);

    const forAlice = evaluate(alice, req("s3:GetObject", "arn:aws:s3:::b/alice/k", { "aws:username": "alice" }));
    const forBob = evaluate(bob, req("s3:GetObject", "arn:aws:s3:::b/bob/k", { "aws:username": "bob" }));

    expect(forAlice.decision).toBe("allowed");
    expect(forBob.decision).toBe("allowed");
    expect(forAlice.matchedStatements.map((m) => m.source.viaGroup?.name)).toEqual(["devs"]);
    expect(forBob.matchedStatements.map((m) => m.source)).toEqual([bobSource]);
    // Shared, not copied: both sets hold the very same compiled statement.
    expect(bob.identity.byService.get("s3")!.statements[0]).toBe(alice.identity.byService.get("s3")!.statements[0]);
  });

  it("a shared Resource pattern with variables substitutes each request's own values", () => {
    // Substitutions are remembered on the shared compiled pattern, keyed by the variables' values.
    const shared = compilePolicy({ source: viaGroup("alice", "devs", "ReadOnly"), document: readOnly });
    const set = compilePolicySet([shared]);
    const get = (user: string, owner: string) => evaluate(set, req("s3:GetObject", `arn:aws:s3:::b/${owner}/k`, { "aws:username": user })).decision;
    for (let round = 0; round < 2; round++) {
      expect(get("alice", "alice")).toBe("allowed");
      expect(get("bob", "alice")).toBe("implicitDeny");
      expect(get("bob", "bob")).toBe("allowed");
      expect(get("a/b", "a/b")).toBe("allowed");
      expect(get("a", "ab")).toBe("implicitDeny");
    }
    expect(evaluate(set, req("s3:GetObject", "arn:aws:s3:::b/alice/k")).missingContextValues).toEqual(["aws:username"]);
  });

  it("compiles a document once, whoever holds it", () => {
    const a: PolicyInEffect = { source: viaGroup("alice", "devs", "ReadOnly"), document: readOnly };
    const b: PolicyInEffect = { source: viaGroup("bob", "ops", "ReadOnly"), document: readOnly };
    expect(compilePolicy(a).compiled).toBe(compilePolicy(b).compiled);
    expect(compileDocument(readOnly)).toBe(compilePolicy(a).compiled);
  });

  it("mixes compiled and uncompiled policies in one set, in document order", () => {
    const deny = policy({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] }, "deny");
    const set = compilePolicySet([compilePolicy({ source: viaGroup("alice", "devs", "ReadOnly"), document: readOnly }), deny]);
    const result = evaluate(set, req("s3:GetObject", "arn:aws:s3:::b/alice/k", { "aws:username": "alice" }));
    expect(result.decision).toBe("explicitDeny");
    expect(result.matchedStatements.map((m) => m.source.policyName)).toEqual(["deny"]);
  });

  it("gives the same result as compiling every principal's policies from scratch", () => {
    fc.assert(
      fc.property(policies, fc.option(policies, { nil: undefined }), request, (identity, boundary, r) => {
        // Compiled once (as a server caches managed policies), then placed in two principals' sets.
        const cache = new Map<number, CompiledPolicy>();
        const shared = (principal: string, docs: readonly PolicyDocument[], role: "identity" | "boundary", offset: number) =>
          sourcesFor(principal, docs, role).map((source, i): CompiledPolicy => {
            let hit = cache.get(offset + i);
            if (hit === undefined) cache.set(offset + i, (hit = compilePolicy({ source, document: docs[i]! })));
            return { ...hit, source };
          });
        const scratch = (principal: string, docs: readonly PolicyDocument[], role: "identity" | "boundary") => {
          const sources = sourcesFor(principal, docs, role);
          return fresh(docs).map((document, i): PolicyInEffect => ({ source: sources[i]!, document }));
        };
        for (const principal of ["alice", "bob"]) {
          const fromCache = compilePolicySet(
            shared(principal, identity, "identity", 0),
            boundary === undefined ? undefined : shared(principal, boundary, "boundary", 100),
          );
          const fromScratch = compilePolicySet(
            scratch(principal, identity, "identity"),
            boundary === undefined ? undefined : scratch(principal, boundary, "boundary"),
          );
          const result = evaluate(fromCache, r);
          expect(result).toEqual(evaluate(fromScratch, r));
          for (const m of [...result.matchedStatements, ...(result.boundary?.matchedStatements ?? [])]) {
            expect(m.source.attachedTo.name.startsWith(`${principal}-group-`)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a set that has answered other requests (its memos filled, actions in any case) answers as a fresh compile does", () => {
    // The index remembers buckets by the action as spelled and substitutions by the variables'
    // values; neither may leak one request's answer into another's.
    const spellings = (action: string) => [action, action.toUpperCase(), action.toLowerCase()];
    // Requests by different users, so remembered substitutions of ${aws:username} are put to the test.
    const asUser = fc.tuple(request, fc.constantFrom("alice", "bob", "a/b")).map(([r, user]) => ({
      ...r,
      context: new Map([...r.context, ["aws:username", { key: "aws:username", type: "string" as const, values: [user] }]]),
    }));
    fc.assert(
      fc.property(policies, fc.option(policies, { nil: undefined }), fc.array(asUser, { minLength: 2, maxLength: 12 }), (identity, boundary, requests) => {
        const sources = (docs: readonly PolicyDocument[], role: "identity" | "boundary") => sourcesFor("alice", docs, role);
        const inEffect = (docs: readonly PolicyDocument[], role: "identity" | "boundary") =>
          docs.map((document, i): PolicyInEffect => ({ source: sources(docs, role)[i]!, document }));
        const warm = compilePolicySet(inEffect(identity, "identity"), boundary === undefined ? undefined : inEffect(boundary, "boundary"));
        for (const r of requests) {
          for (const action of spellings(r.action)) {
            const asked = { ...r, action };
            const cold = compilePolicySet(inEffect(fresh(identity), "identity"), boundary === undefined ? undefined : inEffect(fresh(boundary), "boundary"));
            expect(evaluate(warm, asked)).toEqual(evaluate(cold, asked));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a Resource pattern repeated across statements and documents is decided per statement's version and effect", () => {
    // Equal patterns are compiled once and answered once per evaluation; the version still
    // decides whether `${aws:username}` is a variable, and NotResource still negates.
    const pattern = "arn:aws:s3:::b/${aws:username}/*";
    const v2012 = policy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: pattern }] }, "v2012");
    const v2008 = policy({ Version: "2008-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: pattern }] }, "v2008");
    const notRes = policy({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteObject", NotResource: pattern }] }, "not");
    const set = compilePolicySet([v2012, v2008, notRes]);
    const as = (action: string, key: string) => evaluate(set, req(action, `arn:aws:s3:::b/${key}`, { "aws:username": "alice" }));
    expect(as("s3:GetObject", "alice/k").decision).toBe("allowed");
    expect(as("s3:GetObject", "bob/k").decision).toBe("implicitDeny");
    expect(as("s3:PutObject", "alice/k").decision).toBe("implicitDeny"); // 2008-10-17: the text is literal
    expect(as("s3:PutObject", "${aws:username}/k").decision).toBe("allowed");
    expect(as("s3:DeleteObject", "bob/k").decision).toBe("explicitDeny");
    expect(as("s3:DeleteObject", "alice/k").decision).toBe("implicitDeny");
  });

  it("a set whose statements all name their services indexes as one with always-checked statements does", () => {
    // Two ways of linking (compile.ts indexConfined / indexMerged): adding a statement checked
    // for every action that can never match switches to the other and must change no answer.
    const confined = (doc: PolicyDocument): PolicyDocument => ({
      ...doc,
      statements: doc.statements.map(({ notAction, action, ...s }) => ({
        ...s,
        action: (action ?? notAction ?? []).map((a) => (/^[a-z0-9]+:/i.test(a) ? a : "s3:GetObject")),
      })),
    });
    const never = policy({ Version: "2012-10-17", Statement: [{ Effect: "Deny", NotAction: "s3:GetObject", Resource: "arn:aws:nowhere:::never" }] }, "never");
    fc.assert(
      fc.property(policies, request, (docs, r) => {
        const identity = docs.map((d, i): PolicyInEffect => ({ source: viaGroup("alice", `g${i}`, `p${i}`), document: confined(d) }));
        const oneWay = compilePolicySet(identity);
        const otherWay = compilePolicySet([...identity, never]);
        expect(oneWay.identity.always.statements).toHaveLength(0);
        expect(otherWay.identity.always.statements).toHaveLength(1);
        expect(evaluate(oneWay, r)).toEqual(evaluate(otherWay, r));
      }),
      { numRuns: 300 },
    );
  });
});

// Access Analyzer style validation (ValidatePolicy): every problem in the document, each with
// its type, AWS issue code and location — unlike parsePolicyDocument, which stops at the first
// reason AWS would refuse the document with. Pure; never throws.

import { collector, type PolicyKind } from "./findings/context.js";
import { checkConditions } from "./findings/conditions.js";
import { parseJsonWithPositions } from "./findings/json-ast.js";
import { member } from "./findings/json-ast.js";
import { checkNotElements, checkPassRole, checkRedundancy } from "./findings/permissions.js";
import { checkActions, checkResources } from "./findings/resources.js";
import { checkStatements, checkTopLevel } from "./findings/structure.js";
import type { Finding } from "./findings/types.js";
import { checkReferenceConditions } from "./findings/reference-conditions.js";
import { checkReferenceResources } from "./findings/reference-resources.js";
import { checkServiceReference } from "./findings/service-reference.js";
import { checkVariables } from "./findings/variables.js";
import type { ServiceReference } from "./service-reference.js";
import { MANAGED_POLICY_SIZE_QUOTA, TRUST_POLICY_SIZE_QUOTA, policySizeWithoutWhitespace } from "./size.js";

export type { Finding, FindingType, Location, PathElement, Position, Span } from "./findings/types.js";

export interface ValidateOptions {
  readonly kind?: PolicyKind;
  /** The service authorization reference: with it, unknown services and actions are findings too. */
  readonly reference?: ServiceReference;
}

const ORDER = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 } as const;

export function validatePolicy(text: string, opts: ValidateOptions = {}): Finding[] {
  const kind = opts.kind ?? "identity";
  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) {
    const { line, column, offset } = parsed.at;
    return [
      {
        findingType: "ERROR",
        issueCode: "JSON_SYNTAX_ERROR",
        message: `Fix the JSON syntax error at index ${offset} line ${line} column ${column}.`,
        locations: [{ path: [], span: { start: parsed.at, end: parsed.at } }],
      },
    ];
  }
  const root = parsed.root;
  const top = collector(kind, undefined, []);
  const statements = checkTopLevel(top.ctx, root);
  const version = member(root, "Version");
  const { ctx, findings } = collector(kind, version?.type === "string" ? version.value : undefined, statements);
  findings.push(...top.findings);

  checkStatements(ctx);
  checkActions(ctx);
  checkResources(ctx);
  checkConditions(ctx);
  checkVariables(ctx);
  checkNotElements(ctx);
  checkPassRole(ctx);
  checkRedundancy(ctx);
  if (opts.reference) {
    checkServiceReference(ctx, opts.reference);
    checkReferenceConditions(ctx, opts.reference);
    checkReferenceResources(ctx, opts.reference);
  }

  const quota = kind === "trust" ? TRUST_POLICY_SIZE_QUOTA : MANAGED_POLICY_SIZE_QUOTA;
  if (policySizeWithoutWhitespace(text) > quota) {
    ctx.report(
      "WARNING",
      kind === "trust" ? "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA" : "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
      kind === "trust"
        ? `The characters in the trust policy, excluding whitespace, exceed the character maximum of ${quota}.`
        : "The characters in the identity policy, excluding whitespace, exceed the character maximum for inline and managed policies. We recommend that you use multiple granular policies.",
      { path: [], span: root.span },
    );
  }

  // Most severe first; within a type, in document order.
  const offset = (f: Finding) => f.locations[0]?.span?.start.offset ?? 0;
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER[a.f.findingType] - ORDER[b.f.findingType] || offset(a.f) - offset(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

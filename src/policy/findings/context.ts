// What every check family receives: the positioned document, its statements with their paths,
// and a sink for findings.

import type { JsonNode } from "./json-ast.js";
import type { Finding, FindingType, Location, PathElement, Span } from "./types.js";

export type PolicyKind = "identity" | "trust";

export interface StatementView {
  readonly node: Extract<JsonNode, { type: "object" }>;
  /** ["Statement", i] for a statement array, ["Statement"] for a single statement object. */
  readonly path: readonly PathElement[];
}

export interface CheckContext {
  readonly kind: PolicyKind;
  /** The Version element when it is a string, else undefined. */
  readonly version: string | undefined;
  readonly statements: readonly StatementView[];
  report(findingType: FindingType, issueCode: string, message: string, ...locations: Location[]): void;
}

export const at = (path: readonly PathElement[], node?: { readonly span: Span } | Span): Location => {
  if (node === undefined) return { path };
  return { path, span: "span" in node ? node.span : node };
};

export function collector(kind: PolicyKind, version: string | undefined, statements: readonly StatementView[]) {
  const findings: Finding[] = [];
  const ctx: CheckContext = {
    kind,
    version,
    statements,
    report: (findingType, issueCode, message, ...locations) => findings.push({ findingType, issueCode, message, locations }),
  };
  return { ctx, findings };
}

// Test helpers: build PolicyInEffect values from documents written as JSON, through the real
// parser (src/policy/parse.ts), and request contexts from a compact JSON shape.

import type { PolicyInEffect, PolicySource } from "../../../src/policy/document.js";
import { parsePolicyDocument } from "../../../src/policy/parse.js";
import { type AuthorizationRequest, type ContextEntry, type ContextKeyType, buildContext } from "../../../src/policy/request.js";

const USER = { type: "user" as const, name: "alice", arn: "arn:aws:iam::123456789012:user/alice" };

export function source(name: string, role: "identity" | "boundary" = "identity"): PolicySource {
  return { kind: "inline", policyName: name, attachedTo: USER, role };
}

/** Parse a document written as a JSON value (object or text); fails the test with AWS's reason. */
export function policy(doc: unknown, name = "p", role: "identity" | "boundary" = "identity"): PolicyInEffect {
  const text = typeof doc === "string" ? doc : JSON.stringify(doc);
  const parsed = parsePolicyDocument(text, "identity");
  if (!parsed.ok) throw new Error(`policy ${name} does not parse: ${parsed.reason}\n${text}`);
  return { source: source(name, role), document: parsed.document };
}

/** Context as JSON: `"key": "v"` (string), `"key": ["a","b"]` (stringList), or `{type, values}`. */
export type RawContext = Record<string, string | number | boolean | string[] | { type: ContextKeyType; values: string[] }>;

export function context(raw: RawContext = {}): ReadonlyMap<string, ContextEntry> {
  return buildContext(
    Object.entries(raw).map(([key, v]): ContextEntry => {
      if (Array.isArray(v)) return { key, type: "stringList", values: v };
      if (typeof v === "object") return { key, type: v.type, values: v.values };
      const type: ContextKeyType = typeof v === "number" ? "numeric" : typeof v === "boolean" ? "boolean" : "string";
      return { key, type, values: [String(v)] };
    }),
  );
}

export function request(action: string, resource: string, raw: RawContext = {}): AuthorizationRequest {
  return { action, resource, context: context(raw) };
}

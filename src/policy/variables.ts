// Policy variables (reference_policies_variables): `${aws:username}`, defaults
// `${aws:PrincipalTag/team, 'none'}`, escapes `${*}` `${?}` `${$}`. Only Version 2012-10-17
// documents have variables; in 2008-10-17 the same text is literal. A substituted value is
// literal text, never a wildcard.

import type { PolicyVersion } from "./document.js";
import type { ContextEntry } from "./request.js";
import type { PatternPiece } from "./wildcard.js";

export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "escape"; readonly char: "*" | "?" | "$" }
  | {
      readonly kind: "variable";
      /** The key as written (for reporting missing context values). */
      readonly key: string;
      readonly lowerKey: string;
      readonly defaultValue?: string;
    };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** False when the text has no `${…}` at all: it can be used as is. */
  readonly dynamic: boolean;
}

const VARIABLE_BODY = /^\s*([^\s,'{}]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Parse a Resource or condition value; in 2008-10-17 documents everything is literal text. */
export function parseTemplate(source: string, version: PolicyVersion): Template {
  if (version !== "2012-10-17" || !source.includes("${")) {
    return { source, parts: [{ kind: "text", text: source }], dynamic: false };
  }
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("${", i);
    const close = open < 0 ? -1 : source.indexOf("}", open + 2);
    if (open < 0 || close < 0) break;
    const body = source.slice(open + 2, close);
    const part = parseBody(body);
    if (part === null) {
      // Not a variable (e.g. `${}`): keep the `${` as text and continue after it.
      text += source.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    text += source.slice(i, open);
    if (text !== "") parts.push({ kind: "text", text });
    text = "";
    parts.push(part);
    i = close + 1;
  }
  text += source.slice(i);
  if (text !== "") parts.push({ kind: "text", text });
  return { source, parts, dynamic: parts.some((p) => p.kind !== "text") };
}

function parseBody(body: string): TemplatePart | null {
  if (body === "*" || body === "?" || body === "$") return { kind: "escape", char: body };
  const m = VARIABLE_BODY.exec(body);
  if (m === null) return null;
  const key = m[1]!;
  const part: TemplatePart = { kind: "variable", key, lowerKey: key.toLowerCase() };
  return m[2] === undefined ? part : { ...part, defaultValue: m[2] };
}

/**
 * Records keys that variables asked for but the context did not have (MissingContextValues).
 * An object with a method, not a callback, so an evaluation can pass itself instead of
 * allocating a closure per request.
 */
export interface MissingKeySink {
  missingKey(key: string): void;
}

/**
 * The value of a variable: a single-valued context entry, else the default, else undefined.
 * A multi-valued entry cannot be substituted and counts as having no value.
 */
function variableValue(
  part: Extract<TemplatePart, { kind: "variable" }>,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
): string | undefined {
  const entry = context.get(part.lowerKey);
  if (entry !== undefined && entry.values.length === 1) return entry.values[0];
  if (entry === undefined && part.defaultValue === undefined) missing?.missingKey(part.key);
  return part.defaultValue;
}

/**
 * Substitute a template into pattern pieces: original text keeps its wildcards, substituted
 * values and escapes are literal. Returns null when a variable has no value (and no default):
 * the Resource or condition value then matches nothing.
 */
export function resolvePieces(
  template: Template,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
): PatternPiece[] | null {
  const pieces: PatternPiece[] = [];
  for (const part of template.parts) {
    if (part.kind === "text") pieces.push(part.text);
    else if (part.kind === "escape") pieces.push({ literal: part.char });
    else {
      const value = variableValue(part, context, missing);
      if (value === undefined) return null;
      pieces.push({ literal: value });
    }
  }
  return pieces;
}

/**
 * The values the template's variables take in this context, as one string (a memo key), or
 * null when a variable has no value. Two contexts with the same key substitute identically.
 */
export function variableValuesKey(template: Template, context: ReadonlyMap<string, ContextEntry>): string | null {
  let first = "";
  let key = "";
  let count = 0;
  for (const part of template.parts) {
    if (part.kind !== "variable") continue;
    const value = variableValue(part, context);
    if (value === undefined) return null;
    if (count === 0) first = value;
    else {
      if (count === 1) key = `${first.length}:${first}`; // length-prefixed: no two value lists share a key
      key += `${value.length}:${value}`;
    }
    count++;
  }
  // One variable (the usual `${aws:username}`): its value is the key as it is, so the hot path
  // builds no string. A template always has the same number of variables, so keys of one
  // template never mix the two forms.
  return count === 1 ? first : key;
}

/** Substitute a template into plain text (for operators without wildcards), or null. */
export function resolveText(
  template: Template,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
): string | null {
  if (!template.dynamic) return template.source;
  const pieces = resolvePieces(template, context, missing);
  return pieces === null ? null : piecesText(pieces);
}

export function piecesText(pieces: readonly PatternPiece[]): string {
  let text = "";
  for (const p of pieces) text += typeof p === "string" ? p : p.literal;
  return text;
}

/** Keys a template needs from the context (for MissingContextValues); a variable with a default needs none. */
export function templateKeys(template: Template): string[] {
  const keys: string[] = [];
  for (const p of template.parts) if (p.kind === "variable" && p.defaultValue === undefined) keys.push(p.key);
  return keys;
}

// A statement's Resource / NotResource for one principal (its policy variables substituted from
// what is known about the principal), and how two such scopes relate: covers and disjoint, sound
// but not complete (glob-relations.ts). A pattern whose variable is not known until the request
// (`${aws:SourceIp}`) makes the scope approximate: it then neither covers nor is disjoint from
// anything, so whatever it meets is reported as a partial overlap, never decided by a guess.

import type { ContextEntry } from "./request.js";
import type { CompiledStatement } from "./statement.js";
import { globCovers, globsDisjoint } from "./glob-relations.js";
import { piecesText, resolvePieces } from "./variables.js";
import { type Glob, compileGlob } from "./wildcard.js";

export interface ResourceScope {
  /** NotResource: every resource except those the patterns match. */
  readonly not: boolean;
  readonly globs: readonly Glob[];
  /** The patterns as they apply to this principal (variables substituted; unknown ones as written). */
  readonly patterns: readonly string[];
  readonly approximate: boolean;
}

/**
 * The scope of a statement for a principal. `decided(lowerKey)` says whether a variable's key is
 * known before the request (the principal's own keys); a known variable without a value makes
 * its pattern match nothing, as in the evaluator. Undefined when the statement has no Resource.
 */
export function resourceScope(s: CompiledStatement, context: ReadonlyMap<string, ContextEntry>, decided: (lowerKey: string) => boolean): ResourceScope | undefined {
  if (s.resources === null) return undefined;
  const globs: Glob[] = [];
  const patterns: string[] = [];
  let approximate = false;
  for (const r of s.resources) {
    if (r.template === null) {
      globs.push(r.glob!);
      patterns.push(r.glob!.text);
      continue;
    }
    const unknown = r.template.parts.some((p) => p.kind === "variable" && !decided(p.lowerKey) && p.defaultValue === undefined);
    if (unknown) {
      // A superset for an Allow's Resource; the flag keeps any relation from being claimed.
      approximate = true;
      globs.push(compileGlob(r.template.parts.map((p) => (p.kind === "text" ? p.text : p.kind === "escape" ? { literal: p.char } : "*"))));
      patterns.push(r.template.source);
      continue;
    }
    const pieces = resolvePieces(r.template, context);
    if (pieces === null) continue; // matches nothing (in NotResource: excludes nothing)
    globs.push(compileGlob(pieces));
    patterns.push(piecesText(pieces));
  }
  return { not: s.notResource, globs, patterns, approximate };
}

/** A scope of the given patterns (a filter). */
export function patternScope(patterns: readonly string[]): ResourceScope {
  return { not: false, globs: patterns.map((p) => compileGlob(p)), patterns, approximate: false };
}

/** Every resource `inner` takes in, `outer` takes in. */
export function scopeCovers(outer: ResourceScope, inner: ResourceScope): boolean {
  if (outer.approximate || inner.approximate) return false;
  if (!outer.not && !inner.not) return inner.globs.every((q) => outer.globs.some((p) => globCovers(p, q)));
  if (outer.not && !inner.not) return inner.globs.every((q) => outer.globs.every((m) => globsDisjoint(m, q)));
  if (outer.not && inner.not) return outer.globs.every((m) => inner.globs.some((n) => globCovers(n, m)));
  return outer.globs.some((p) => p.shape === "any");
}

/** No resource is in both. */
export function scopesDisjoint(a: ResourceScope, b: ResourceScope): boolean {
  if (a.approximate || b.approximate) return false;
  if (!a.not && !b.not) return a.globs.every((p) => b.globs.every((q) => globsDisjoint(p, q)));
  if (!a.not && b.not) return a.globs.every((p) => b.globs.some((n) => globCovers(n, p)));
  if (a.not && !b.not) return b.globs.every((q) => a.globs.some((m) => globCovers(m, q)));
  return false;
}

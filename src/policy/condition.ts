// Condition clauses (reference_policies_elements_condition, ..._condition_operators,
// reference_policies_multi-value-conditions):
// - operators AND, keys under one operator AND (each clause is one operator + key), values OR;
// - a negated operator (StringNotEquals, NotIpAddress, ...) matches a context value only when
//   none of the policy values match it;
// - a missing key: positive operators fail, negated ones match, `...IfExists` matches,
//   `ForAllValues:` matches (empty set), `ForAnyValue:` fails (with or without IfExists);
//   Null tests presence itself;
// - condition key names ignore case (the context is keyed by lower-cased names).

import type { ConditionClause, PolicyVersion } from "./document.js";
import type { ContextEntry } from "./request.js";
import { arnLike } from "./conditions/arn.js";
import { binaryEquals } from "./conditions/binary.js";
import { bool } from "./conditions/bool.js";
import { date } from "./conditions/date.js";
import { ipAddress } from "./conditions/ip.js";
import { nullMatches } from "./conditions/null.js";
import { numeric } from "./conditions/numeric.js";
import { stringEquals, stringEqualsIgnoreCase, stringLike } from "./conditions/string.js";
import type { ValueCompiler, ValueTest } from "./conditions/types.js";
import {
  type MissingKeySink,
  type Template,
  parseTemplate,
  piecesText,
  resolvePieces,
  templateKeys,
} from "./variables.js";

interface BaseOperator {
  readonly compile: ValueCompiler;
  readonly negated: boolean;
  /** String and ARN operators take policy variables; the others read values literally. */
  readonly variables: boolean;
}

const op = (compile: ValueCompiler, negated: boolean, variables = false): BaseOperator => ({
  compile,
  negated,
  variables,
});

/** Base operators by lower-cased name. */
const OPERATORS: ReadonlyMap<string, BaseOperator> = new Map([
  ["stringequals", op(stringEquals, false, true)],
  ["stringnotequals", op(stringEquals, true, true)],
  ["stringequalsignorecase", op(stringEqualsIgnoreCase, false, true)],
  ["stringnotequalsignorecase", op(stringEqualsIgnoreCase, true, true)],
  ["stringlike", op(stringLike, false, true)],
  ["stringnotlike", op(stringLike, true, true)],
  ["numericequals", op(numeric("eq"), false)],
  ["numericnotequals", op(numeric("eq"), true)],
  ["numericlessthan", op(numeric("lt"), false)],
  ["numericlessthanequals", op(numeric("lte"), false)],
  ["numericgreaterthan", op(numeric("gt"), false)],
  ["numericgreaterthanequals", op(numeric("gte"), false)],
  ["dateequals", op(date("eq"), false)],
  ["datenotequals", op(date("eq"), true)],
  ["datelessthan", op(date("lt"), false)],
  ["datelessthanequals", op(date("lte"), false)],
  ["dategreaterthan", op(date("gt"), false)],
  ["dategreaterthanequals", op(date("gte"), false)],
  ["bool", op(bool, false)],
  ["binaryequals", op(binaryEquals, false)],
  ["ipaddress", op(ipAddress, false)],
  ["notipaddress", op(ipAddress, true)],
  ["arnequals", op(arnLike, false, true)],
  ["arnlike", op(arnLike, false, true)],
  ["arnnotequals", op(arnLike, true, true)],
  ["arnnotlike", op(arnLike, true, true)],
]);

export type SetQualifier = "none" | "forAllValues" | "forAnyValue";

export type ParsedOperator =
  | { readonly kind: "compare"; readonly base: BaseOperator; readonly set: SetQualifier; readonly ifExists: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "unknown" };

/** Split `ForAnyValue:StringLikeIfExists` into qualifier, base operator and IfExists. */
export function parseOperator(operator: string): ParsedOperator {
  let name = operator.trim().toLowerCase();
  let set: SetQualifier = "none";
  if (name.startsWith("forallvalues:")) {
    set = "forAllValues";
    name = name.slice("forallvalues:".length);
  } else if (name.startsWith("foranyvalue:")) {
    set = "forAnyValue";
    name = name.slice("foranyvalue:".length);
  }
  // Null has neither an IfExists form nor set qualifiers.
  if (name === "null") return set === "none" ? { kind: "null" } : { kind: "unknown" };
  let ifExists = false;
  if (name.endsWith("ifexists")) {
    ifExists = true;
    name = name.slice(0, -"ifexists".length);
  }
  const base = OPERATORS.get(name);
  return base === undefined ? { kind: "unknown" } : { kind: "compare", base, set, ifExists };
}

interface CompiledValue {
  readonly source: string;
  /** Set when the value holds policy variables: it is compiled per request. */
  readonly template: Template | null;
  /** The compiled test for a static value; null when it can never match. */
  readonly test: ValueTest | null;
}

export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  readonly lowerKey: string;
  readonly parsed: ParsedOperator;
  readonly values: readonly CompiledValue[];
  /** The tests of every value when none holds a policy variable (the usual case): no per-request work. */
  readonly staticTests: readonly ValueTest[] | null;
  /** Keys read by policy variables in the values. */
  readonly variableKeys: readonly string[];
  /** The values as written when none holds a policy variable: what a trace reports, shared. */
  readonly staticSources: readonly string[] | null;
}

export function compileCondition(clause: ConditionClause, version: PolicyVersion): CompiledCondition {
  const parsed = parseOperator(clause.operator);
  const variableKeys: string[] = [];
  const values = clause.values.map((source): CompiledValue => {
    if (parsed.kind !== "compare") return { source, template: null, test: null };
    const template = parsed.base.variables ? parseTemplate(source, version) : null;
    if (template !== null && template.dynamic) {
      variableKeys.push(...templateKeys(template));
      return { source, template, test: null };
    }
    return { source, template: null, test: parsed.base.compile([source], source) };
  });
  const staticTests = values.every((v) => v.template === null)
    ? values.flatMap((v) => (v.test === null ? [] : [v.test]))
    : null;
  const staticSources = values.every((v) => v.template === null) ? Object.freeze(values.map((v) => v.source)) : null;
  return { operator: clause.operator, key: clause.key, lowerKey: clause.key.toLowerCase(), parsed, values, staticTests, variableKeys, staticSources };
}

/** The tests of the policy values for this request; values whose variables have no value drop out. */
function valueTests(cond: CompiledCondition, base: BaseOperator, context: ReadonlyMap<string, ContextEntry>, missing?: MissingKeySink): readonly ValueTest[] {
  if (cond.staticTests !== null) return cond.staticTests;
  const tests: ValueTest[] = [];
  for (const v of cond.values) {
    if (v.template === null) {
      if (v.test !== null) tests.push(v.test);
      continue;
    }
    const pieces = resolvePieces(v.template, context, missing);
    if (pieces === null) continue;
    const test = base.compile(pieces, piecesText(pieces));
    if (test !== null) tests.push(test);
  }
  return tests;
}

/** One context value against the policy values: OR for positive, NOR for negated operators. */
function valueMatches(tests: readonly ValueTest[], negated: boolean, value: string): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i]!(value)) return !negated;
  return negated;
}

export function conditionMatches(
  cond: CompiledCondition,
  context: ReadonlyMap<string, ContextEntry>,
  missing?: MissingKeySink,
): boolean {
  const parsed = cond.parsed;
  if (parsed.kind === "unknown") return false;
  const entry = context.get(cond.lowerKey);
  // An empty list is an empty data set: treated like an absent key.
  const present = entry !== undefined && entry.values.length > 0;
  if (parsed.kind === "null") return cond.values.some((v) => nullMatches(v.source, present));
  const { base, set, ifExists } = parsed;
  if (!present) {
    // ForAnyValue: "For no matching key or a null dataset, the condition returns false"
    // (reference_policies_multi-value-conditions) — IfExists does not turn that into true.
    if (set === "forAnyValue") return false;
    if (ifExists) return true;
    if (set === "forAllValues") return true;
    return base.negated;
  }
  const tests = valueTests(cond, base, context, missing);
  const values = entry.values;
  const negated = base.negated;
  // ForAllValues: every value matches. ForAnyValue: some value does. Without a qualifier
  // several context values act as one set: the positive operator matches if any value
  // matches, the negated one only if none does (i.e. every value passes the NOR).
  const every = set === "forAllValues" || (set === "none" && negated);
  for (let i = 0; i < values.length; i++) {
    const m = valueMatches(tests, negated, values[i]!);
    if (every && !m) return false;
    if (!every && m) return true;
  }
  return every;
}

/** The policy values after variable substitution, for traces (unresolved values stay as written). */
export function substitutedValues(cond: CompiledCondition, context: ReadonlyMap<string, ContextEntry>): readonly string[] {
  if (cond.staticSources !== null) return cond.staticSources;
  return cond.values.map((v) => {
    if (v.template === null) return v.source;
    const pieces = resolvePieces(v.template, context);
    return pieces === null ? v.source : piecesText(pieces);
  });
}

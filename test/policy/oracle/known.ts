// The known kinds of disagreement between iamgraph and the peer, one per entry of
// oracle-disagreements.json (which holds the AWS documentation that settles each). Each kind
// says when a case contains the construct in question and how to take that construct out; a
// disagreement counts as explained only if, once every applicable construct is taken out, the
// two engines agree on the decision and the matched statements.

import { decideOurs } from "./decide.js";
import type { OracleCase } from "./generate.js";

type Json = Record<string, unknown>;
type Conditions = Record<string, Record<string, unknown>>;

export interface KnownKind {
  readonly id: string;
  readonly applies: (c: OracleCase) => boolean;
  readonly neutralize: (c: OracleCase) => OracleCase;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const statements = (doc: Json): Json[] => list(doc.Statement) as Json[];
const docs = (c: OracleCase): Json[] => [...c.identity, ...(c.boundary ?? [])];
const allStatements = (c: OracleCase): Json[] => docs(c).flatMap(statements);

function mapStatements(c: OracleCase, f: (s: Json) => Json): OracleCase {
  const mapDoc = (d: Json): Json => ({ ...d, Statement: statements(d).map(f) });
  return { ...c, identity: c.identity.map(mapDoc), ...(c.boundary === undefined ? {} : { boundary: c.boundary.map(mapDoc) }) };
}

/** The clauses of a statement as [operator, key]. */
function clauses(s: Json): [string, string, unknown][] {
  const cond = (s.Condition ?? {}) as Conditions;
  return Object.entries(cond).flatMap(([op, keys]) => Object.entries(keys).map(([k, v]): [string, string, unknown] => [op, k, v]));
}

function dropClauses(c: OracleCase, contested: (op: string, key: string, values: unknown) => boolean): OracleCase {
  return mapStatements(c, (s) => {
    if (s.Condition === undefined) return s;
    const out: Conditions = {};
    for (const [op, keys] of Object.entries(s.Condition as Conditions)) {
      const kept = Object.fromEntries(Object.entries(keys).filter(([k, v]) => !contested(op, k, v)));
      if (Object.keys(kept).length > 0) out[op] = kept;
    }
    const { Condition: _, ...rest } = s;
    return Object.keys(out).length === 0 ? rest : { ...rest, Condition: out };
  });
}

const contextValue = (c: OracleCase, key: string): string | string[] | undefined => {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(c.context)) if (k.toLowerCase() === lower) return v;
  return undefined;
};
const isSetOperator = (op: string) => /^for(all|any)values?:/i.test(op);
const isNull = (op: string) => op.toLowerCase() === "null";

/** A multivalued key (the context gives a list) under an operator without ForAllValues/ForAnyValue. */
const plainOnMultivalued = (c: OracleCase) => (op: string, key: string) =>
  !isSetOperator(op) && !isNull(op) && Array.isArray(contextValue(c, key));

/** Null on a key the context gives as an empty list. */
const nullOnEmptyList = (c: OracleCase) => (op: string, key: string) => {
  const v = contextValue(c, key);
  return isNull(op) && Array.isArray(v) && v.length === 0;
};

const EPOCH = /^\d+$/;
const DATE_OPERATOR = /^(for(all|any)values?:)?date/i;
/** A Date operator comparing epoch seconds with ISO 8601 text (either side). */
const epochAgainstIso = (c: OracleCase) => (op: string, key: string, values: unknown) => {
  if (!DATE_OPERATOR.test(op)) return false;
  const forms = new Set([...list(values), ...list(contextValue(c, key))].map((v) => EPOCH.test(String(v))));
  return forms.size > 1;
};

/** `${key}` (no default) whose key the context lacks; or, with `empty`, any `${key...}` whose key holds "". */
const VARIABLE = /\$\{([^}]*)\}/g;
const variables = (text: unknown) =>
  [...String(text).matchAll(VARIABLE)].map((m) => {
    const [key, fallback] = m[1]!.split(",");
    return { key: key!.trim(), defaulted: fallback !== undefined };
  }).filter((v) => !["*", "?", "$"].includes(v.key)); // escapes
const unresolved = (c: OracleCase, text: unknown) => variables(text).some((v) => !v.defaulted && contextValue(c, v.key) === undefined);
const emptyValued = (c: OracleCase, text: unknown) => variables(text).some((v) => contextValue(c, v.key) === "");
const emptyInNotResource = (c: OracleCase) => (s: Json) => list(s.NotResource).some((r) => emptyValued(c, r));
const emptyInCondition = (c: OracleCase) => (_op: string, _key: string, values: unknown) => list(values).some((v) => emptyValued(c, v));
const unresolvedInNotResource = (c: OracleCase) => (s: Json) => list(s.NotResource).some((r) => unresolved(c, r));
const unresolvedInCondition = (c: OracleCase) => (_op: string, _key: string, values: unknown) => list(values).some((v) => unresolved(c, v));

// What a context value must look like for each operator family to read it.
const FAMILY: readonly [RegExp, RegExp][] = [
  [/^numeric/, /^[+-]?(\d+(\.\d*)?|\.\d+)$/],
  [/^date/, /^(\d+|\d{4}-\d{2}.*)$/],
  [/^(not)?ipaddress/, /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)$/i],
  [/^arn/, /^arn:/],
  [/^bool/, /^(true|false)$/i],
  [/^binary/, /^[A-Za-z0-9+/]+=*$/],
];
/** An operator whose context value is not of its type (a region under NotIpAddress, an IP under NumericGreaterThan). */
const valueOfAnotherType = (c: OracleCase) => (op: string, key: string) => {
  const base = op.toLowerCase().replace(/^for(all|any)values?:/, "");
  const shape = FAMILY.find(([name]) => name.test(base))?.[1];
  return shape !== undefined && list(contextValue(c, key)).some((v) => !shape.test(String(v)));
};

const IP_OPERATOR = /^(for(all|any)values?:)?(not)?ipaddress/i;
const isV6 = (v: unknown) => String(v).includes(":");
/** An IP operator with an IPv6 address against an IPv4 range, or the other way round. */
const ipFamiliesMixed = (c: OracleCase) => (op: string, key: string, values: unknown) => {
  if (!IP_OPERATOR.test(op)) return false;
  const ctx = list(contextValue(c, key));
  return ctx.some((a) => list(values).some((r) => isV6(a) !== isV6(r)));
};

/** An IP operator with a zero-length prefix (`0.0.0.0/0`, `::/0`): the range of every address. */
const zeroPrefix = (_c: OracleCase) => (op: string, _key: string, values: unknown) =>
  IP_OPERATOR.test(op) && list(values).some((v) => String(v).endsWith("/0"));

const legacyWithVariables = (d: Json) => d.Version === "2008-10-17" && JSON.stringify(d).includes("${");

/** BinaryEquals where some base64 text (policy or context) lacks its `=` padding. */
const unpadded = (v: unknown) => String(v).replace(/=+$/, "").length % 4 !== 0 && !String(v).endsWith("=");
const unpaddedBase64 = (c: OracleCase) => (op: string, key: string, values: unknown) =>
  /binaryequals/i.test(op) && [...list(values), ...list(contextValue(c, key))].some(unpadded);

const SERVICE_WILDCARD = /^[^:]*[*?][^:]*:/;
const serviceWildcard = (a: unknown) => typeof a === "string" && SERVICE_WILDCARD.test(a);

/** A statement that matches no generated request: stands in for one taken out, keeping indices. */
const INERT: Json = { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:none" };

const withoutBoundary = (c: OracleCase): OracleCase => {
  const { boundary: _, ...rest } = c;
  return rest;
};

const clauseKind = (id: string, contested: (c: OracleCase) => (op: string, key: string, values: unknown) => boolean): KnownKind => ({
  id,
  applies: (c) => allStatements(c).some((s) => clauses(s).some(([op, k, v]) => contested(c)(op, k, v))),
  neutralize: (c) => dropClauses(c, contested(c)),
});

export const KNOWN: readonly KnownKind[] = [
  clauseKind("zero-length-ip-prefix", zeroPrefix),
  clauseKind("unpadded-base64", unpaddedBase64),
  {
    id: "variables-in-a-2008-10-17-policy",
    applies: (c) => docs(c).some(legacyWithVariables),
    neutralize: (c) => {
      const fix = (d: Json): Json => (legacyWithVariables(d) ? { ...d, Version: "2012-10-17" } : d);
      return { ...c, identity: c.identity.map(fix), ...(c.boundary === undefined ? {} : { boundary: c.boundary.map(fix) }) };
    },
  },
  clauseKind("context-value-not-of-the-operators-type", valueOfAnotherType),
  clauseKind("unresolved-variable-in-condition-value", unresolvedInCondition),
  {
    id: "variable-of-an-empty-string",
    applies: (c) => allStatements(c).some((s) => emptyInNotResource(c)(s) || clauses(s).some(([op, k, v]) => emptyInCondition(c)(op, k, v))),
    neutralize: (c) => dropClauses(mapStatements(c, (s) => (emptyInNotResource(c)(s) ? INERT : s)), emptyInCondition(c)),
  },
  clauseKind("ip-address-of-the-other-family", ipFamiliesMixed),
  {
    id: "boundary-deny-without-identity-allow",
    applies: (c) => c.boundary !== undefined && decideOurs(withoutBoundary(c)).decision !== "allowed",
    neutralize: withoutBoundary,
  },
  {
    id: "epoch-seconds-against-iso-date",
    applies: (c) => allStatements(c).some((s) => clauses(s).some(([op, k, v]) => epochAgainstIso(c)(op, k, v))),
    neutralize: (c) => dropClauses(c, epochAgainstIso(c)),
  },
  {
    id: "unresolved-variable-in-notresource",
    applies: (c) => allStatements(c).some(unresolvedInNotResource(c)),
    neutralize: (c) => mapStatements(c, (s) => (unresolvedInNotResource(c)(s) ? INERT : s)),
  },
  {
    id: "plain-operator-on-multivalued-key",
    applies: (c) => allStatements(c).some((s) => clauses(s).some(([op, k]) => plainOnMultivalued(c)(op, k))),
    neutralize: (c) => dropClauses(c, plainOnMultivalued(c)),
  },
  {
    id: "null-on-empty-list",
    applies: (c) => allStatements(c).some((s) => clauses(s).some(([op, k]) => nullOnEmptyList(c)(op, k))),
    neutralize: (c) => dropClauses(c, nullOnEmptyList(c)),
  },
  {
    id: "wildcard-in-service-prefix",
    applies: (c) => allStatements(c).some((s) => [...list(s.Action), ...list(s.NotAction)].some(serviceWildcard)),
    neutralize: (c) =>
      mapStatements(c, (s) => {
        const fix = (v: unknown) => (Array.isArray(v) ? v.map((a) => (serviceWildcard(a) ? "*" : a)) : serviceWildcard(v) ? "*" : v);
        return { ...s, ...(s.Action === undefined ? {} : { Action: fix(s.Action) }), ...(s.NotAction === undefined ? {} : { NotAction: fix(s.NotAction) }) };
      }),
  },
];

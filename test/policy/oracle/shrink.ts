// Shrink a case while a predicate (e.g. "the engines disagree") still holds: drop policies,
// statements, condition clauses, array values and context keys one at a time. A failing
// differential case is printed shrunk, so the construct at fault is visible at once.

import type { OracleCase } from "./generate.js";

type Json = Record<string, unknown>;

function* smaller(c: OracleCase): Generator<OracleCase> {
  const withDocs = (identity: Json[], boundary: Json[] | undefined): OracleCase => {
    const { boundary: _, ...rest } = c;
    return { ...rest, identity, ...(boundary === undefined ? {} : { boundary }) };
  };
  if (c.boundary !== undefined) yield withDocs(c.identity, undefined);
  const groups: [Json[], (docs: Json[]) => OracleCase][] = [[c.identity, (d) => withDocs(d, c.boundary)]];
  if (c.boundary !== undefined) groups.push([c.boundary, (d) => withDocs(c.identity, d)]);
  for (const [docs, rebuild] of groups) {
    for (let i = 0; i < docs.length; i++) if (docs.length > 1) yield rebuild(docs.filter((_, j) => j !== i));
    for (let i = 0; i < docs.length; i++) {
      const stmts = docs[i]!.Statement as Json[];
      const put = (s: Json[]) => rebuild(docs.map((d, j) => (j === i ? { ...d, Statement: s } : d)));
      for (let k = 0; k < stmts.length; k++) if (stmts.length > 1) yield put(stmts.filter((_, j) => j !== k));
      for (let k = 0; k < stmts.length; k++) {
        for (const s of smallerStatements(stmts[k]!)) yield put(stmts.map((x, j) => (j === k ? s : x)));
      }
    }
  }
  for (const key of Object.keys(c.context)) {
    const { [key]: value, ...rest } = c.context;
    yield { ...c, context: rest };
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield { ...c, context: { ...rest, [key]: value.filter((_, j) => j !== i) } };
  }
}

function* smallerStatements(s: Json): Generator<Json> {
  for (const field of ["Action", "NotAction", "Resource", "NotResource"]) {
    const v = s[field];
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield { ...s, [field]: v.length === 2 ? v[1 - i] : v.filter((_, j) => j !== i) };
  }
  const cond = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (cond === undefined) return;
  for (const [op, keys] of Object.entries(cond)) {
    for (const [key, values] of Object.entries(keys)) {
      const { [key]: _, ...otherKeys } = keys;
      const { [op]: __, ...otherOps } = cond;
      const without = Object.keys(otherKeys).length === 0 ? otherOps : { ...otherOps, [op]: otherKeys };
      const { Condition: ___, ...bare } = s;
      yield Object.keys(without).length === 0 ? bare : { ...s, Condition: without };
      if (Array.isArray(values) && values.length > 1) {
        for (let i = 0; i < values.length; i++) yield { ...s, Condition: { ...cond, [op]: { ...keys, [key]: values.filter((_, j) => j !== i) } } };
      }
    }
  }
}

export function shrink(c: OracleCase, holds: (c: OracleCase) => boolean): OracleCase {
  let current = c;
  for (let progress = true; progress; ) {
    progress = false;
    for (const next of smaller(current)) {
      if (holds(next)) {
        current = next;
        progress = true;
        break;
      }
    }
  }
  return current;
}

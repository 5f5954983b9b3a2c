// Numeric operators: integers and decimals. A value that is not a number never matches.

import { rememberLast, type ValueCompiler, type ValueTest } from "./types.js";

export type Comparison = "eq" | "lt" | "lte" | "gt" | "gte";

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

/** Build a compiler for an ordered type from its parser and a comparison. */
export function comparing(parse: (text: string) => number | undefined, cmp: Comparison): ValueCompiler {
  const parseContext = rememberLast(parse);
  return (_pieces, text) => {
    const p = parse(text);
    if (p === undefined) return null;
    const test: ValueTest = (v) => {
      const c = parseContext(v);
      if (c === undefined) return false;
      switch (cmp) {
        case "eq":
          return c === p;
        case "lt":
          return c < p;
        case "lte":
          return c <= p;
        case "gt":
          return c > p;
        case "gte":
          return c >= p;
      }
    };
    return test;
  };
}

export const numeric = (cmp: Comparison): ValueCompiler => comparing(parseNumber, cmp);

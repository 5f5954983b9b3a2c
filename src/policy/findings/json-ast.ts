// A small JSON parser that keeps where every value (and every object key) stands in the
// text, so findings can point at the exact element. Same grammar as JSON.parse (RFC 8259).

import type { PathElement, Position, Span } from "./types.js";

export type JsonNode =
  | { readonly type: "object"; readonly span: Span; readonly entries: readonly JsonEntry[] }
  | { readonly type: "array"; readonly span: Span; readonly items: readonly JsonNode[] }
  | { readonly type: "string"; readonly span: Span; readonly value: string }
  | { readonly type: "number"; readonly span: Span; readonly value: number }
  | { readonly type: "boolean"; readonly span: Span; readonly value: boolean }
  | { readonly type: "null"; readonly span: Span };

export interface JsonEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: JsonNode;
}

export type JsonParseResult =
  | { readonly ok: true; readonly root: JsonNode }
  | { readonly ok: false; readonly at: Position };

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super("JSON syntax error");
  }
}

export function parseJsonWithPositions(text: string): JsonParseResult {
  // Line starts, to turn offsets into line/column.
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const pos = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0), offset };
  };
  const span = (start: number, end: number): Span => ({ start: pos(start), end: pos(end) });

  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) throw new SyntaxAt(i);
    i++;
  };

  const stringRaw = (): string => {
    expect('"');
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined || c < " ") throw new SyntaxAt(i);
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== "\\") {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        i += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else throw new SyntaxAt(i);
    }
  };

  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: JsonEntry[] = [];
      ws();
      if (text[i] === "}") i++;
      else
        for (;;) {
          ws();
          const keyStart = i;
          const key = stringRaw();
          const keySpan = span(keyStart, i);
          ws();
          expect(":");
          entries.push({ key, keySpan, value: value() });
          ws();
          if (text[i] === ",") i++;
          else {
            expect("}");
            break;
          }
        }
      return { type: "object", entries, span: span(start, i) };
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === "]") i++;
      else
        for (;;) {
          items.push(value());
          ws();
          if (text[i] === ",") i++;
          else {
            expect("]");
            break;
          }
        }
      return { type: "array", items, span: span(start, i) };
    }
    if (c === '"') return { type: "string", value: stringRaw(), span: span(start, i) };
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v === null ? { type: "null", span: span(start, i) } : { type: "boolean", value: v, span: span(start, i) };
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) throw new SyntaxAt(i);
    i += m[0].length;
    return { type: "number", value: Number(m[0]), span: span(start, i) };
  };

  try {
    const root = value();
    ws();
    if (i !== text.length) throw new SyntaxAt(i);
    return { ok: true, root };
  } catch (e) {
    if (e instanceof SyntaxAt) return { ok: false, at: pos(Math.min(e.offset, text.length)) };
    throw e;
  }
}

/** The value of an object's key (the last one, as JSON.parse keeps). */
export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.type !== "object") return undefined;
  let found: JsonNode | undefined;
  for (const e of node.entries) if (e.key === key) found = e.value;
  return found;
}

/** A string node, or each string of an array node, with its path element. */
export function stringsOf(node: JsonNode | undefined): { value: string; node: JsonNode; index?: number }[] {
  if (node?.type === "string") return [{ value: node.value, node }];
  if (node?.type !== "array") return [];
  return node.items.flatMap((n, index) => (n.type === "string" ? [{ value: n.value, node: n, index }] : []));
}

/** Path element for an item of a string-or-array element. */
export const itemPath = (base: readonly PathElement[], index: number | undefined): PathElement[] =>
  index === undefined ? [...base] : [...base, index];

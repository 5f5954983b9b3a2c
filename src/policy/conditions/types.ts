// What every operator family provides: turn one policy value into a test of one context value.

import type { PatternPiece } from "../wildcard.js";

/** Tests one context value against one (compiled) policy value. */
export type ValueTest = (contextValue: string) => boolean;

/**
 * Compile one policy value. `pieces` carries wildcard information after variable substitution
 * (substituted text is literal); `text` is the same value as plain text. Returns null when the
 * policy value can never match (e.g. `NumericEquals: "abc"`): evaluation never throws.
 */
export type ValueCompiler = (pieces: readonly PatternPiece[], text: string) => ValueTest | null;

/**
 * Remember a parser's last answer. Within one request every test of a key parses the same
 * context text (aws:SourceIp against each CIDR of each statement), so one slot is enough and
 * stays small. The parsers are pure and evaluation is synchronous, so this never goes stale.
 */
export function rememberLast<T>(parse: (text: string) => T): (text: string) => T {
  let lastText: string | undefined;
  let last: T;
  return (text) => {
    if (text !== lastText) {
      last = parse(text);
      lastText = text;
    }
    return last!;
  };
}

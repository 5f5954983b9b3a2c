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

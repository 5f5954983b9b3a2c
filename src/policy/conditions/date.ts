// Date operators: values are W3C ISO 8601 dates (2020-01-31, 2020-01-31T12:00Z,
// 2020-01-31T12:00:00.123+02:00) or epoch seconds (aws:EpochTime). Compared as instants.

import { comparing, type Comparison } from "./numeric.js";
import type { ValueCompiler } from "./types.js";

const EPOCH = /^-?\d+(?:\.\d+)?$/;
const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?$/;

/** Milliseconds since the epoch, or undefined for text that is not a date. */
export function parseDate(text: string): number | undefined {
  const t = text.trim();
  // All digits is epoch seconds; a bare year (`2020`) would be ambiguous, and AWS documents
  // epoch values as plain numbers, so digits win.
  if (EPOCH.test(t)) return Math.round(Number(t) * 1000);
  const m = ISO.exec(t);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0").slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const digits = zone.replace(":", "");
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  // A time without a zone designator is read as UTC.
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export const date = (cmp: Comparison): ValueCompiler => comparing(parseDate, cmp);

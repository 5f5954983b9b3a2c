import { describe, expect, it } from "vitest";
import { parseDate } from "../../../src/policy/conditions/date.js";
import { decodeBase64 } from "../../../src/policy/conditions/binary.js";
import { parseNumber } from "../../../src/policy/conditions/numeric.js";

describe("date parsing", () => {
  it.each([
    ["2020-01-31", Date.UTC(2020, 0, 31)],
    ["2020-01", Date.UTC(2020, 0, 1)],
    ["2020-01-31T12:30Z", Date.UTC(2020, 0, 31, 12, 30)],
    ["2020-01-31T12:30:15Z", Date.UTC(2020, 0, 31, 12, 30, 15)],
    ["2020-01-31T12:30:15.5Z", Date.UTC(2020, 0, 31, 12, 30, 15, 500)],
    ["2020-01-31T12:30:15.123456789Z", Date.UTC(2020, 0, 31, 12, 30, 15, 123)],
    ["2020-01-31T12:30:15+02:00", Date.UTC(2020, 0, 31, 10, 30, 15)],
    ["2020-01-31T12:30:15-0530", Date.UTC(2020, 0, 31, 18, 0, 15)],
    ["2020-01-31T12:30:15", Date.UTC(2020, 0, 31, 12, 30, 15)],
    ["1700000000", 1_700_000_000_000],
    ["0", 0],
    ["2024-02-29", Date.UTC(2024, 1, 29)],
  ])("%s", (text, ms) => {
    expect(parseDate(text)).toBe(ms);
  });

  it.each(["2023-02-29", "2020-13-01", "2020-01-32", "2020-01-01T24:00:00Z", "2020-01-01T10:60Z", "yesterday", "", "2020-01-01T10:00:00+25:00", "2020/01/01"])(
    "rejects %s",
    (text) => {
      expect(parseDate(text)).toBeUndefined();
    },
  );
});

describe("numbers and base64", () => {
  it("parses integers and decimals only", () => {
    expect(parseNumber("10")).toBe(10);
    expect(parseNumber("-1.5")).toBe(-1.5);
    expect(parseNumber(".5")).toBe(0.5);
    expect(parseNumber("1e3")).toBeUndefined();
    expect(parseNumber("")).toBeUndefined();
    expect(parseNumber("0x10")).toBeUndefined();
  });

  it("decodes base64 with and without padding, rejects other text", () => {
    expect(decodeBase64("QQ==")).toBe("A");
    expect(decodeBase64("QQ")).toBe("A");
    expect(decodeBase64("AAEC")).toBe("\u0000\u0001\u0002");
    expect(decodeBase64("a*b=")).toBeNull();
    expect(decodeBase64("Q")).toBeNull();
  });
});

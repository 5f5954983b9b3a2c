import { describe, expect, it } from "vitest";
import {
  GROUP_INLINE_POLICIES_SIZE_QUOTA,
  INLINE_POLICIES_SIZE_QUOTA,
  MANAGED_POLICY_SIZE_QUOTA,
  ROLE_INLINE_POLICIES_SIZE_QUOTA,
  TRUST_POLICY_SIZE_QUOTA,
  USER_INLINE_POLICIES_SIZE_QUOTA,
  inlinePoliciesSize,
  policySizeWithoutWhitespace,
} from "../../src/policy/size.js";

describe("policy size (reference_iam-quotas: whitespace is not counted)", () => {
  it.each([
    ["empty", "", 0],
    ["compact JSON", '{"a":"b"}', 9],
    ["pretty JSON counts the same as compact", '{\n\t"a" : "b"\r\n}', 9],
    ["spaces inside strings are whitespace too", '{"a":"b c"}', 10],
    ["Latin-1 characters count one each", '{"Sid":"café"}', 14],
    ["only whitespace", " \t\r\n ", 0],
  ])("%s", (_name, text, size) => {
    expect(policySizeWithoutWhitespace(text)).toBe(size);
  });

  it("sums an entity's inline policies", () => {
    expect(inlinePoliciesSize(['{ "a": 1 }', '{"b":\n2}'])).toBe(14);
  });

  it("a policy at the quota fits, one character more does not", () => {
    const atQuota = `"${"x".repeat(MANAGED_POLICY_SIZE_QUOTA - 2)}"`;
    expect(policySizeWithoutWhitespace(atQuota)).toBe(MANAGED_POLICY_SIZE_QUOTA);
    expect(policySizeWithoutWhitespace(`${atQuota}  \n`)).toBe(MANAGED_POLICY_SIZE_QUOTA);
    expect(policySizeWithoutWhitespace(`${atQuota}x`)).toBeGreaterThan(MANAGED_POLICY_SIZE_QUOTA);
  });

  it("quotas are AWS's defaults", () => {
    expect([MANAGED_POLICY_SIZE_QUOTA, USER_INLINE_POLICIES_SIZE_QUOTA, GROUP_INLINE_POLICIES_SIZE_QUOTA, ROLE_INLINE_POLICIES_SIZE_QUOTA, TRUST_POLICY_SIZE_QUOTA]).toEqual([6144, 2048, 5120, 10240, 2048]);
    expect(INLINE_POLICIES_SIZE_QUOTA).toEqual({ user: 2048, group: 5120, role: 10240 });
  });
});

import { describe, expect, it } from "vitest";
import { compileCondition, conditionMatches, parseOperator, substitutedValues } from "../../src/policy/condition.js";
import { buildContext } from "../../src/policy/request.js";

const ctx = buildContext([
  { key: "aws:username", type: "string", values: ["alice"] },
  { key: "aws:TagKeys", type: "stringList", values: ["env", "owner"] },
]);

const matches = (operator: string, key: string, values: string[], version: "2012-10-17" | "2008-10-17" = "2012-10-17") =>
  conditionMatches(compileCondition({ operator, key, values }, version), ctx);

describe("operator names", () => {
  it("splits qualifier, base operator and IfExists", () => {
    const parsed = parseOperator("ForAnyValue:StringLikeIfExists");
    expect(parsed.kind).toBe("compare");
    if (parsed.kind === "compare") {
      expect(parsed.set).toBe("forAnyValue");
      expect(parsed.ifExists).toBe(true);
    }
  });

  it("Null has no IfExists form and no qualifiers", () => {
    expect(parseOperator("Null").kind).toBe("null");
    expect(parseOperator("NullIfExists").kind).toBe("unknown");
    expect(parseOperator("ForAllValues:Null").kind).toBe("unknown");
  });

  it("an unknown operator never matches, even negated-looking ones", () => {
    expect(parseOperator("StringNotEqualz").kind).toBe("unknown");
    expect(matches("StringNotEqualz", "aws:username", ["bob"])).toBe(false);
    expect(matches("ForSomeValues:StringEquals", "aws:TagKeys", ["env"])).toBe(false);
  });
});

describe("condition evaluation", () => {
  it("substitutes variables in String values and reports them in traces", () => {
    const cond = compileCondition({ operator: "StringEquals", key: "aws:username", values: ["${aws:username}", "bob"] }, "2012-10-17");
    expect(conditionMatches(cond, ctx)).toBe(true);
    expect(substitutedValues(cond, ctx)).toEqual(["alice", "bob"]);
  });

  it("keeps an unresolved value as written in traces", () => {
    const cond = compileCondition({ operator: "StringEquals", key: "aws:username", values: ["${aws:userid}"] }, "2012-10-17");
    expect(conditionMatches(cond, ctx)).toBe(false);
    expect(substitutedValues(cond, ctx)).toEqual(["${aws:userid}"]);
  });

  it("ForAllValues needs every context value to match some policy value", () => {
    expect(matches("ForAllValues:StringEquals", "aws:TagKeys", ["env", "owner", "x"])).toBe(true);
    expect(matches("ForAllValues:StringEquals", "aws:TagKeys", ["env"])).toBe(false);
  });

  it("negated operators without qualifier on several context values hold only if no pair matches", () => {
    expect(matches("StringNotEquals", "aws:TagKeys", ["owner"])).toBe(false);
    expect(matches("StringNotEquals", "aws:TagKeys", ["x", "y"])).toBe(true);
  });
});

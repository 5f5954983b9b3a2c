import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/policy/request.js";
import { parseTemplate, piecesText, resolvePieces, resolveText, templateKeys, variableValuesKey } from "../../src/policy/variables.js";

const ctx = buildContext([
  { key: "aws:username", type: "string", values: ["alice"] },
  { key: "aws:PrincipalTag/team", type: "string", values: ["blue"] },
  { key: "aws:TagKeys", type: "stringList", values: ["a", "b"] },
]);

describe("policy variables", () => {
  it("substitutes a variable, ignoring the case of its key", () => {
    expect(resolveText(parseTemplate("home/${AWS:UserName}/*", "2012-10-17"), ctx)).toBe("home/alice/*");
  });

  it("keeps the original text's wildcards and makes substituted text literal", () => {
    const pieces = resolvePieces(parseTemplate("a*${aws:username}?", "2012-10-17"), ctx);
    expect(pieces).toEqual(["a*", { literal: "alice" }, "?"]);
  });

  it.each([
    ["${*}", "*"],
    ["${?}", "?"],
    ["${$}", "$"],
    ["x${*}y${?}z${$}", "x*y?z$"],
  ])("escape %s is the literal %s", (source, text) => {
    const template = parseTemplate(source, "2012-10-17");
    const pieces = resolvePieces(template, ctx);
    expect(pieces === null ? null : piecesText(pieces)).toBe(text);
    expect(pieces?.every((p) => typeof p !== "string" || (!p.includes("*") && !p.includes("?")))).toBe(true);
  });

  it("uses the default only when the key has no value", () => {
    expect(resolveText(parseTemplate("${aws:PrincipalTag/team, 'none'}", "2012-10-17"), ctx)).toBe("blue");
    expect(resolveText(parseTemplate("${aws:PrincipalTag/dept, 'none'}", "2012-10-17"), ctx)).toBe("none");
    expect(resolveText(parseTemplate("${aws:PrincipalTag/dept,'}", "2012-10-17"), ctx)).toBe("${aws:PrincipalTag/dept,'}");
    expect(resolveText(parseTemplate("${aws:PrincipalTag/dept, ''}", "2012-10-17"), ctx)).toBe("");
  });

  it("a variable without value or default resolves to nothing and is reported", () => {
    const missing: string[] = [];
    expect(resolveText(parseTemplate("x/${aws:userid}", "2012-10-17"), ctx, { missingKey: (k) => missing.push(k) })).toBeNull();
    expect(missing).toEqual(["aws:userid"]);
  });

  it("a multi-valued key cannot be substituted", () => {
    expect(resolveText(parseTemplate("${aws:TagKeys}", "2012-10-17"), ctx)).toBeNull();
  });

  it("is literal text in 2008-10-17 documents", () => {
    const template = parseTemplate("home/${aws:username}/${*}", "2008-10-17");
    expect(template.dynamic).toBe(false);
    expect(resolveText(template, ctx)).toBe("home/${aws:username}/${*}");
  });

  it("leaves text that is not a variable alone", () => {
    expect(resolveText(parseTemplate("a${}b$c{d}", "2012-10-17"), ctx)).toBe("a${}b$c{d}");
    expect(resolveText(parseTemplate("a${unclosed", "2012-10-17"), ctx)).toBe("a${unclosed");
  });

  it("lists the keys a template needs", () => {
    expect(templateKeys(parseTemplate("${aws:username}/${aws:userid, 'x'}/${*}", "2012-10-17"))).toEqual(["aws:username"]);
  });

  it("memo keys of a template differ exactly when its substitution differs", () => {
    const one = parseTemplate("home/${aws:username}/*", "2012-10-17");
    const two = parseTemplate("${aws:PrincipalTag/a}${aws:PrincipalTag/b}", "2012-10-17");
    const of = (entries: [string, string][]) => buildContext(entries.map(([key, value]) => ({ key, type: "string" as const, values: [value] })));
    const alice = variableValuesKey(one, of([["aws:username", "alice"]]));
    expect(alice).not.toBeNull();
    expect(variableValuesKey(one, of([["aws:username", "alice"]]))).toBe(alice);
    expect(variableValuesKey(one, of([["aws:username", "bob"]]))).not.toBe(alice);
    // Two values that concatenate to the same text are still two keys.
    const abC = variableValuesKey(two, of([["aws:PrincipalTag/a", "ab"], ["aws:PrincipalTag/b", "c"]]));
    const aBc = variableValuesKey(two, of([["aws:PrincipalTag/a", "a"], ["aws:PrincipalTag/b", "bc"]]));
    expect(abC).not.toBeNull();
    expect(abC).not.toBe(aBc);
    expect(variableValuesKey(two, of([["aws:PrincipalTag/a", "ab"]]))).toBeNull();
  });
});

// Policy variables (reference_policies_variables): only in Resource/NotResource and in the
// values of String and ARN condition operators, only with Version 2012-10-17, and written
// as ${name} or ${name, 'default'}; ${*}, ${?} and ${$} are escapes.

import { baseOperator } from "../parse.js";
import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import type { JsonNode } from "./json-ast.js";
import type { Location, PathElement } from "./types.js";

const ESCAPES = new Set(["*", "?", "$"]);

/** Syntax problems of the ${...} parts of one string, as [code, message]. */
function variableSyntax(text: string): [string, string][] {
  const out: [string, string][] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf("${", from);
    if (start < 0) return out;
    const end = text.indexOf("}", start + 2);
    if (end < 0) {
      out.push(["MISSING_BRACE_IN_VARIABLE", "The policy variable is missing a closing curly brace. Add } after the variable text."]);
      return out;
    }
    const body = text.slice(start + 2, end);
    from = end + 1;
    if (ESCAPES.has(body)) continue;
    const [name = "", ...rest] = body.split(",");
    const fallback = rest.join(",").trim();
    if (body.trim() === "") out.push(["EMPTY_VARIABLE", "Empty policy variable. Remove the variable structure or provide a variable within the structure."]);
    else if (/\s/.test(name.trim()) || name !== name.trim()) {
      out.push(["UNSUPPORTED_SPACE_IN_VARIABLE", "A space is not supported within the policy variable text. Remove the space."]);
    } else if (rest.length > 0 && !/^'.*'$/.test(fallback)) {
      out.push(["MISSING_QUOTE_IN_VARIABLE", "The policy variable default value must begin and end with a single quote. Add the missing quote."]);
    }
  }
}

const realVariables = (text: string) => [...text.matchAll(/\$\{([^}]*)\}?/g)].some((m) => !ESCAPES.has(m[1] ?? ""));

export function checkVariables(ctx: CheckContext): void {
  const report = (code: string, message: string, loc: Location) => ctx.report("ERROR", code, message, loc);
  const inAllowedPlace = (text: string, loc: Location) => {
    if (!realVariables(text)) return;
    for (const [code, message] of variableSyntax(text)) report(code, message, loc);
    if (ctx.version !== "2012-10-17") {
      report("VARIABLE_UNSUPPORTED_IN_VERSION", "To include variables in your policy, use the policy version 2012-10-17 or later.", loc);
    }
  };
  const walk = (node: JsonNode, path: PathElement[], visit: (text: string, loc: Location) => void) => {
    if (node.type === "string") visit(node.value, at(path, node));
    else if (node.type === "array") node.items.forEach((n, i) => walk(n, [...path, i], visit));
    else if (node.type === "object") node.entries.forEach((e) => walk(e.value, [...path, e.key], visit));
  };

  for (const s of ctx.statements) {
    for (const e of s.node.entries) {
      const path = [...s.path, e.key];
      if (e.key === "Resource" || e.key === "NotResource") walk(e.value, path, inAllowedPlace);
      else if (e.key === "Condition" && e.value.type === "object") {
        for (const op of e.value.entries) {
          const b = baseOperator(op.key);
          const stringLike = b.startsWith("String") || b.startsWith("Arn");
          walk(op.value, [...path, op.key], (text, loc) => {
            if (!realVariables(text)) return;
            if (stringLike) inAllowedPlace(text, loc);
            else report("INVALID_VARIABLE_FOR_OPERATOR", "Policy variables can only be used with String and ARN operators.", loc);
          });
        }
      } else {
        walk(e.value, path, (text, loc) => {
          if (realVariables(text)) {
            report("VARIABLE_UNSUPPORTED_IN_ELEMENT", `Policy variables are supported in the Resource and Condition elements. Remove the policy variable from the ${e.key} element.`, loc);
          }
        });
      }
    }
  }
}

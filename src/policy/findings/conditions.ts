// Condition block checks: operators, set qualifiers on single-valued keys, wildcards under
// non-Like operators, value types and empty values (access-analyzer-reference-policy-checks).

import { CONDITION_OPERATORS, baseOperator, isLegacyDate } from "../parse.js";
import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import type { JsonNode } from "./json-ast.js";
import type { PathElement } from "./types.js";

/**
 * Global keys that carry one value per request (reference_policies_condition-keys: "This is a
 * single-valued key"). Tag keys with a tag name are single-valued too; aws:TagKeys,
 * aws:CalledVia, aws:PrincipalOrgPaths, aws:ResourceOrgPaths and
 * aws:PrincipalServiceNamesList are multivalued.
 */
const SINGLE_VALUED = new Set(
  [
    "aws:username", "aws:userid", "aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
    "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:PrincipalArn", "aws:PrincipalAccount",
    "aws:PrincipalOrgID", "aws:PrincipalType", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
    "aws:RequestedRegion", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:SourceArn",
    "aws:SourceAccount", "aws:SourceOrgID", "aws:Referer", "aws:UserAgent", "aws:TokenIssueTime",
    "aws:ViaAWSService", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:FederatedProvider", "aws:SourceIdentity",
    "aws:ResourceAccount", "aws:ResourceOrgID", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceOwner",
  ].map((k) => k.toLowerCase()),
);
const SINGLE_VALUED_PREFIXES = ["aws:principaltag/", "aws:requesttag/", "aws:resourcetag/"];

export function isSingleValuedKey(key: string): boolean {
  const k = key.toLowerCase();
  return SINGLE_VALUED.has(k) || SINGLE_VALUED_PREFIXES.some((p) => k.startsWith(p) && k.length > p.length);
}

const hasVariable = (v: string) => v.includes("${");
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^[0-9a-fA-F:.]+(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/;
const isCidr = (v: string) => IPV4.test(v) || (v.includes(":") && IPV6.test(v));

export function checkConditions(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    const cond = s.node.entries.filter((e) => e.key === "Condition").at(-1)?.value;
    if (cond === undefined) continue;
    const base = [...s.path, "Condition"];
    if (cond.type !== "object") {
      ctx.report("ERROR", "DATA_TYPE_MISMATCH", "The text does not match the expected JSON data type Object.", at(base, cond));
      continue;
    }
    if (cond.entries.length === 0) {
      ctx.report("SUGGESTION", "EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. Specify conditions.", at(base, cond));
    }
    for (const op of cond.entries) checkOperator(ctx, [...base, op.key], op.key, op.keySpan, op.value);
  }
}

function checkOperator(ctx: CheckContext, path: PathElement[], operator: string, keySpan: JsonNode["span"], block: JsonNode): void {
  const b = baseOperator(operator);
  const qualifier = operator.startsWith("ForAllValues:") ? "ForAllValues" : operator.startsWith("ForAnyValue:") ? "ForAnyValue" : undefined;
  const ifExists = operator.endsWith("IfExists");
  if (!CONDITION_OPERATORS.has(b)) {
    ctx.report("ERROR", "INVALID_CONDITION_OPERATOR", `The condition operator ${operator} is not valid. Use a valid condition operator.`, at(path, keySpan));
  } else if (b === "Null" && ifExists) {
    ctx.report("ERROR", "NULL_WITH_IF_EXISTS", "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.", at(path, keySpan));
  } else if (b === "Null" && qualifier) {
    ctx.report("SUGGESTION", "NULL_WITH_QUALIFIER", "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.", at(path, keySpan));
  }
  if (block.type !== "object") {
    ctx.report("ERROR", "DATA_TYPE_MISMATCH", "The text does not match the expected JSON data type Object.", at(path, block));
    return;
  }
  for (const { key, keySpan: kSpan, value } of block.entries) {
    const kPath = [...path, key];
    if (qualifier === "ForAllValues" && isSingleValuedKey(key)) {
      ctx.report(
        "SECURITY_WARNING",
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        `Using ForAllValues qualifier with the single-valued condition key ${key} can be overly permissive. We recommend that you remove ForAllValues:.`,
        at(kPath, kSpan),
      );
    }
    const items = value.type === "array" ? value.items.map((n, i) => ({ n, p: [...kPath, i] })) : [{ n: value, p: kPath }];
    if (value.type === "array" && value.items.length === 0) {
      const [code, text] =
        qualifier === "ForAllValues"
          ? ["EMPTY_ARRAY_CONDITION_FORALLVALUES", "The ForAllValues prefix with an empty condition key matches only if the key is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead."]
          : qualifier === "ForAnyValue"
            ? ["EMPTY_ARRAY_CONDITION_FORANYVALUE", "The ForAnyValue prefix with an empty condition key never matches the request context and it does not affect the policy. Specify conditions."]
            : ifExists
              ? ["EMPTY_ARRAY_CONDITION_IFEXISTS", "The IfExists suffix with an empty condition key matches only if the key is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead."]
              : ["EMPTY_ARRAY_CONDITION", "There are no values for the condition key and it does not affect the policy. Specify conditions."];
      ctx.report("SUGGESTION", code, text, at(kPath, value));
    }
    for (const { n, p } of items) {
      if (n.type === "object" || n.type === "array" || n.type === "null") {
        ctx.report("ERROR", "DATA_TYPE_MISMATCH", "The text does not match the expected JSON data type String.", at(p, n));
        continue;
      }
      checkValue(ctx, b, String(n.value), p, n);
    }
  }
}

function checkValue(ctx: CheckContext, op: string, v: string, path: PathElement[], node: JsonNode): void {
  if (hasVariable(v)) return; // typed checks apply to literal values; variables.ts judges variables
  const loc = at(path, node);
  // A * or ? is literal text under String/Arn operators other than the Like ones.
  if (/^(StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|ArnEquals|ArnNotEquals)$/.test(op) && /[*?]/.test(v)) {
    ctx.report("WARNING", "WILDCARD_WITHOUT_LIKE_OPERATOR", "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.", loc);
  }
  if ((op === "Bool" || op === "Null") && v !== "true" && v !== "false") {
    ctx.report("WARNING", "TYPE_MISMATCH_BOOLEAN", "Add a valid Boolean value (true or false) for the condition operator.", loc);
  }
  if (op.startsWith("Numeric") && !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) {
    ctx.report("WARNING", "TYPE_MISMATCH_NUMBER", "Add a valid numeric value for the condition operator.", loc);
  }
  if (op.startsWith("Date") && !isLegacyDate(v)) {
    ctx.report("WARNING", "TYPE_MISMATCH_DATE", "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.", loc);
  }
  if ((op === "IpAddress" || op === "NotIpAddress") && !isCidr(v)) {
    ctx.report("WARNING", "TYPE_MISMATCH_IP_RANGE", "The condition operator is used with an invalid IP range value. Specify the IP range in standard CIDR format.", loc);
  }
}

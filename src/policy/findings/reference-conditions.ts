// Condition keys against the service authorization reference
// (access-analyzer-reference-policy-checks; the two Error messages are AWS's, the Type mismatch
// text follows AWS's check as recalled, not verified against the page):
// - "Error – Invalid global condition key": an `aws:` key AWS does not define;
// - "Error – Invalid service condition key": a `service:` key its service does not define (also
//   when the reference knows no such service);
// - "Warning – Type mismatch": an operator of another type than the key's (a String operator on
//   the Date key aws:CurrentTime, Numeric on a String key, …);
// - CONDITION_KEY_NOT_IN_STATEMENT_SERVICES (iamgraph's own, in the spirit of AWS's checks): a
//   service key of a service none of the statement's actions belong to — a request to those
//   actions never carries it, so the condition can never hold as intended.
// Findings inform; the document is accepted as AWS accepts it.

import { conditionKeyDefinition, type ConditionKeyType, type ServiceReference } from "../service-reference.js";
import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import { member, stringsOf } from "./json-ast.js";

/** Operator families by the key types they compare (reference_policies_elements_condition_operators). */
const FAMILIES: readonly { readonly family: string; readonly test: RegExp; readonly types: readonly ConditionKeyType[] }[] = [
  { family: "String", test: /^String/, types: ["String", "ArrayOfString", "ARN", "ArrayOfARN"] },
  { family: "ARN", test: /^Arn/, types: ["ARN", "ArrayOfARN"] },
  { family: "Numeric", test: /^Numeric/, types: ["Numeric", "ArrayOfNumeric", "Date"] },
  { family: "Date", test: /^Date/, types: ["Date"] },
  { family: "Bool", test: /^Bool$/, types: ["Bool", "ArrayOfBool"] },
  { family: "IPAddress", test: /^(Not)?IpAddress$/, types: ["IPAddress"] },
  { family: "Binary", test: /^BinaryEquals$/, types: ["Binary"] },
];

/** The operators that suit a key of this type, as AWS names the types in its message. */
function suitedFamilies(type: ConditionKeyType): string[] {
  return FAMILIES.filter((f) => f.types.includes(type) && !(f.family === "Numeric" && type === "Date")).map((f) => f.family);
}

/**
 * The key's definition. The reference's global table spells its tag keys as AWS's global-keys
 * page does (`aws:PrincipalTag/tag-key`), not with a `${TagKey}` placeholder, so a tag key is
 * also looked up by its prefix there.
 */
function definitionOf(reference: ServiceReference, service: string, key: string) {
  const found = conditionKeyDefinition(reference, service === "aws" ? "" : service, key);
  if (found !== undefined || service !== "aws") return found;
  const slash = key.indexOf("/");
  return slash < 0 ? undefined : reference.globalConditionKeys.get(`${key.slice(0, slash + 1).toLowerCase()}tag-key`);
}

const baseName = (operator: string) => operator.replace(/^(ForAllValues|ForAnyValue):/, "").replace(/IfExists$/, "");

export function checkReferenceConditions(ctx: CheckContext, reference: ServiceReference): void {
  for (const s of ctx.statements) {
    const cond = member(s.node, "Condition");
    if (cond?.type !== "object") continue;
    const actions = stringsOf(member(s.node, "Action")).map((a) => a.value);
    // The services the statement's actions belong to; undefined when any service may be meant.
    const services = member(s.node, "NotAction") !== undefined || actions.some((a) => !a.includes(":") || /[*?]/.test(a.split(":")[0]!)) ? undefined : new Set(actions.map((a) => a.split(":")[0]!.toLowerCase()));
    for (const op of cond.entries) {
      if (op.value.type !== "object") continue;
      const operator = baseName(op.key);
      const family = FAMILIES.find((f) => f.test.test(operator));
      for (const { key, keySpan } of op.value.entries) {
        const loc = at([...s.path, "Condition", op.key, key], keySpan);
        const colon = key.indexOf(":");
        if (colon <= 0) continue; // INVALID_CONDITION_KEY_FORMAT territory (structure checks)
        const service = key.slice(0, colon).toLowerCase();
        const definition = definitionOf(reference, service, key);
        if (definition === undefined) {
          if (service === "aws") ctx.report("ERROR", "INVALID_GLOBAL_CONDITION_KEY", `The condition key ${key} does not exist. Use a valid condition key.`, loc);
          else ctx.report("ERROR", "INVALID_SERVICE_CONDITION_KEY", `The condition key ${key} does not exist in the service ${service}.`, loc);
          continue;
        }
        if (service !== "aws" && services !== undefined && !services.has(service)) {
          ctx.report(
            "WARNING",
            "CONDITION_KEY_NOT_IN_STATEMENT_SERVICES",
            `The condition key ${key} belongs to the service ${service}, but the statement's actions are of ${[...services].join(", ")}: their requests never carry it.`,
            loc,
          );
        }
        if (family !== undefined && !family.types.includes(definition.type)) {
          ctx.report("WARNING", "TYPE_MISMATCH", `Use the operator type ${suitedFamilies(definition.type).join(" or ")} instead of operator ${op.key} for the condition key ${key}.`, loc);
        }
      }
    }
  }
}

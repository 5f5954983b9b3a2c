// Resource ARNs against the resource types of the statement's actions (the service
// authorization reference's ARN formats): a Resource that can match no resource any of the
// statement's actions acts on grants nothing — `arn:aws:s3:::bucket` with s3:GetObject (an
// object action), or an IAM ARN with s3 actions. Issue code RESOURCE_MATCHES_NO_RESOURCE_TYPE is
// iamgraph's own (AWS's UNSUPPORTED_RESOURCE_ARN_IN_POLICY is the resource-policy cousin).
// Decided by glob intersection of the pattern with each format (placeholders as `*`), so
// wildcards and policy variables (taken as `*`) never cause a false finding. Statements naming
// an action the reference does not know, or `Resource: "*"`, are not judged.

import { actionResourceTypes, expandAction, type ServiceReference } from "../service-reference.js";
import { globsIntersect, walkPattern } from "../checks/resource-classes.js";
import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import { itemPath, member, stringsOf } from "./json-ast.js";

/** An ARN format as a glob: each `${Placeholder}` becomes `*`. */
const formatGlob = (format: string) => format.replace(/\$\{[^}]*\}/g, "*");
/** A policy's Resource pattern as a glob: each policy variable becomes `*` (any value). */
const resourceGlob = (pattern: string) => pattern.replace(/\$\{[^}]*\}/g, "*");


export function checkReferenceResources(ctx: CheckContext, reference: ServiceReference): void {
  for (const s of ctx.statements) {
    const actionPatterns = stringsOf(member(s.node, "Action")).map((a) => a.value);
    if (actionPatterns.length === 0 || actionPatterns.includes("*")) continue;
    const actions: string[] = [];
    let unknown = false;
    for (const p of actionPatterns) {
      const expanded = expandAction(reference, p);
      if (expanded === undefined || (expanded.length === 0 && !/[*?]/.test(p))) unknown = true;
      else actions.push(...expanded);
    }
    if (unknown || actions.length === 0) continue;
    const formats = new Set<string>();
    for (const a of actions) for (const { type } of actionResourceTypes(reference, a)) type.arnFormats.forEach((f) => formats.add(formatGlob(f)));
    for (const { value, node, index } of stringsOf(member(s.node, "Resource"))) {
      if (value === "*" || !value.startsWith("arn:")) continue; // "*" is every resource; non-ARNs are resources.ts's finding
      const glob = walkPattern(resourceGlob(value));
      if ([...formats].some((f) => globsIntersect(glob, walkPattern(f)))) continue;
      const shown = actions.length <= 3 ? actions.join(", ") : `${actions.slice(0, 3).join(", ")} and ${actions.length - 3} more`;
      ctx.report(
        "WARNING",
        "RESOURCE_MATCHES_NO_RESOURCE_TYPE",
        formats.size === 0
          ? `The resource ${value} cannot be used with the statement's actions (${shown}): they support only "*" as their resource.`
          : `The resource ${value} matches no resource type of the statement's actions (${shown}); the statement grants nothing on it.`,
        at(itemPath([...s.path, "Resource"], index), node),
      );
    }
  }
}

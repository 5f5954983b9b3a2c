// Access Analyzer's checks that need the service authorization reference
// (access-analyzer-reference-policy-checks): "Error – Invalid service in action" and "Error –
// Invalid action", the latter also for a wildcard that matches no action of its service.
// Findings inform; the document is still accepted as AWS accepts it.

import { expandAction, type ServiceReference } from "../service-reference.js";
import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import { itemPath, member, stringsOf } from "./json-ast.js";

export function checkServiceReference(ctx: CheckContext, reference: ServiceReference): void {
  for (const s of ctx.statements) {
    for (const key of ["Action", "NotAction"]) {
      for (const { value, node, index } of stringsOf(member(s.node, key))) {
        if (value === "*" || value.includes("${")) continue;
        const parts = value.split(":");
        if (parts.length !== 2 || parts[0] === "" || /[*?]/.test(parts[0]!)) continue; // shape and service wildcards: resources.ts's findings
        const loc = at(itemPath([...s.path, key], index), node);
        const actions = expandAction(reference, value);
        if (actions === undefined) {
          ctx.report("ERROR", "INVALID_SERVICE_IN_ACTION", `The service ${parts[0]} specified in the action ${value} does not exist.`, loc);
        } else if (actions.length === 0) {
          ctx.report(
            "ERROR",
            "INVALID_ACTION",
            /[*?]/.test(parts[1]!) ? `The action ${value} does not match any action of ${parts[0]}.` : `The action ${value} does not exist.`,
            loc,
          );
        }
      }
    }
  }
}

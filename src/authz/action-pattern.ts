import { serviceReference } from "../catalogue/service-reference.js";
import { DomainError } from "../domain/shared/domain-error.js";
import { expandAction } from "../policy/service-reference.js";

// The questions "who can", "who could" and the access timeline take an action or an action
// wildcard (`s3:Put*`); a wildcard is answered per concrete action of the service authorization
// reference, as IAM would match it. A concrete action is taken as written (it may be one the
// reference does not know yet, and AWS lets a policy name it).

/** More concrete actions than this in one question is refused (`ec2:*` has ~760; `*` 22,000). */
export const maxConcreteActions = 1000;

export const isActionPattern = (action: string) => /[*?]/.test(action);

/** The concrete actions a question's action stands for, AWS's spelling, sorted. */
export async function concreteActions(action: string): Promise<string[]> {
  if (!isActionPattern(action)) return [action];
  const expanded = expandAction(await serviceReference(), action);
  if (expanded === undefined) throw new DomainError("InvalidInput", `The action ${action} names no service of the service authorization reference.`);
  if (expanded.length === 0) throw new DomainError("InvalidInput", `The action ${action} matches no action of the service authorization reference.`);
  if (expanded.length > maxConcreteActions) {
    throw new DomainError("InvalidInput", `The action ${action} matches ${expanded.length} actions; a question takes at most ${maxConcreteActions}.`);
  }
  return expanded.sort();
}

import type { Context } from "../context.js";
import type { AuthorizationChecks } from "../../authz/authorization-check.js";

/** What a rule sees: the field's arguments and, for a nested field, the object it belongs to. */
export interface RuleInput<Source = any> {
  readonly ctx: Context;
  readonly args: Record<string, any>;
  readonly source: Source;
}

/**
 * How one GraphQL field is authorized: the checks the caller must pass before it resolves, or
 * — for the few fields every authenticated caller may use — a statement of why none is needed.
 * Rules are only computed for IAM users; root skips them.
 */
export type FieldRule = { readonly checks: (input: RuleInput) => AuthorizationChecks | Promise<AuthorizationChecks> } | { readonly open: string };

export const rule = <Source = any>(checks: (input: RuleInput<Source>) => AuthorizationChecks | Promise<AuthorizationChecks>): FieldRule => ({ checks });

/** One check: the usual shape. */
export const single =
  <Source = any>(action: string, resource: (input: RuleInput<Source>) => string | Promise<string>): FieldRule =>
    rule<Source>(async (input) => [{ action, resource: await resource(input) }]);

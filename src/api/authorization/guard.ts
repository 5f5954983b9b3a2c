import { defaultFieldResolver, GraphQLObjectType, lexicographicSortSchema, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { wrapOrThrow } from "@pothos/plugin-errors";
import type { DomainError } from "../../domain/shared/domain-error.js";
import type { Context } from "../context.js";
import type { AuthorizationChecks } from "../../authz/authorization-check.js";
import { authorizeChecks } from "./authorize-checks.js";
import type { FieldRule, RuleInput } from "./field-rule.js";
import { nestedFieldRules } from "./nested-field-rules.js";
import { rootFieldRules } from "./root-field-rules.js";
import { revocable, Revoked } from "./subscription-revocation.js";

/**
 * Self-authorization: every root field, and the nested fields that reveal more than their
 * parent, is decided by the caller's own IAM policies before it resolves (rules in
 * root-field-rules.ts and nested-field-rules.ts). A denial is AccessDenied with AWS's message:
 * the `IamError` member of a field whose type is a `<Field>Result` union, a GraphQL error with
 * code AccessDenied elsewhere. Denied fields never run, so a denial changes nothing.
 *
 * Returns a guarded copy: `lexicographicSortSchema` rebuilds every type from its config (the
 * schema is already sorted, so the copy is identical), and only the copy's resolvers are
 * wrapped — the unguarded schema stays as it was for the benchmark that measures this guard.
 */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const guarded = lexicographicSortSchema(schema);
  for (const [typeName, rules] of Object.entries(rootFieldRules)) {
    const type = guarded.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) continue;
    for (const field of Object.values(type.getFields())) {
      const fieldRule: FieldRule = rules[field.name] ?? unlistedRootField(field.name);
      if (typeName === "Subscription") guardSubscription(field, fieldRule);
      else guardField(field, fieldRule);
    }
  }
  for (const [typeName, rules] of Object.entries(nestedFieldRules)) {
    const type = guarded.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`authorization: nested rules name ${typeName}, which is not an object type of the schema`);
    const fields = type.getFields();
    for (const [fieldName, fieldRule] of Object.entries(rules)) {
      const field = fields[fieldName];
      if (!field) throw new Error(`authorization: a nested rule names ${typeName}.${fieldName}, which the schema does not have`);
      guardField(field, fieldRule);
    }
  }
  return guarded;
}

/**
 * A root field added without a rule (the coverage test fails on it) is still not open: it needs
 * `iamgraph:<FieldName>` on `*`, which only a policy granting iamgraph:* or * gives.
 */
function unlistedRootField(fieldName: string): FieldRule {
  const action = `iamgraph:${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}`;
  return { checks: () => [{ action, resource: "*" }] };
}

type Field = GraphQLField<unknown, Context>;

async function denialOf(fieldRule: Extract<FieldRule, { checks: unknown }>, input: RuleInput): Promise<DomainError | undefined> {
  return authorizeChecks(input.ctx, await fieldRule.checks(input));
}

function guardField(field: Field, fieldRule: FieldRule): void {
  if ("open" in fieldRule) return;
  const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
  // A `<Field>Result` union field (Pothos errors plugin): its refusals are its IamError member.
  const resultErrors = field.extensions?.["pothosErrors"] as (new (...args: never[]) => Error)[] | undefined;
  field.resolve = (source, args, ctx, info) => {
    if (ctx.caller.kind === "root") return resolve(source, args, ctx, info);
    return denialOf(fieldRule, { ctx, args, source }).then(
      (denial) => {
        if (!denial) return resolve(source, args, ctx, info);
        if (resultErrors) return wrapOrThrow(denial, resultErrors);
        throw denial;
      },
      (err: unknown) => (resultErrors ? wrapOrThrow(err, resultErrors) : Promise.reject(err)),
    );
  };
}

/** Checked when it starts; ended with AccessDenied when the subscriber loses the permission. */
function guardSubscription(field: Field, fieldRule: FieldRule): void {
  if ("open" in fieldRule) return;
  const subscribe = field.subscribe;
  const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
  if (!subscribe) throw new Error(`authorization: subscription field ${field.name} has no subscribe function`);
  field.subscribe = async (source, args, ctx, info) => {
    if (ctx.caller.kind === "root") return subscribe(source, args, ctx, info);
    const checks: AuthorizationChecks = await fieldRule.checks({ ctx, args, source });
    const denial = await authorizeChecks(ctx, checks);
    if (denial) throw denial;
    const stream = (await subscribe(source, args, ctx, info)) as AsyncIterator<unknown> | { errors: unknown };
    if (!(Symbol.asyncIterator in (stream as object))) return stream;
    return revocable(ctx, checks, stream as AsyncIterator<unknown>);
  };
  field.resolve = (payload, args, ctx, info) => {
    if (payload instanceof Revoked) throw payload.denial;
    return resolve(payload, args, ctx, info);
  };
}

import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { AfterValidateHook } from "./limits.js";

type OnExecuteDone = Exclude<ReturnType<NonNullable<Plugin["onExecute"]>>, void | undefined | Promise<unknown>>;

/**
 * In production the schema is not advertised: introspection (`__schema`, `__type`) is refused
 * on every transport (HTTP and graphql-ws alike, which is why this is graphql's own rule and not
 * a per-HTTP-request plugin), and error messages lose graphql-js's "Did you mean …?" hints,
 * which would otherwise let a client map the schema field by field. GraphiQL is switched off in
 * yoga.ts. `__typename` stays: clients need it to read unions.
 */
export function productionSchemaPrivacy(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return validatedWithoutSuggestions;
    },
    onExecute: () => executedWithoutSuggestions,
  };
}

// The hooks returned per request are these constants: nothing is allocated for a request that
// has nothing to rewrite (issue 17's HTTP overhead).
const validatedWithoutSuggestions: AfterValidateHook = ({ valid, result, setResult }) => {
  if (!valid) setResult(result.map(withoutSuggestions));
};

// Variables that fail coercion report here ("… Did you mean the enum value "Active"?").
const executedWithoutSuggestions: OnExecuteDone = {
  onExecuteDone({ result, setResult }) {
    if (isSingleResult(result) && result.errors?.some(hasSuggestion)) {
      setResult({ ...result, errors: result.errors.map(withoutSuggestions) });
    }
  },
};

const suggestion = /\s*Did you mean [^?]*\?/g;

const hasSuggestion = (error: unknown) => error instanceof Error && error.message.includes("Did you mean");

function withoutSuggestions<E>(error: E): E {
  if (!(error instanceof GraphQLError) || !hasSuggestion(error)) return error;
  return new GraphQLError(error.message.replace(suggestion, "").trim(), {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: error.extensions,
  }) as E;
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === "object" && result !== null && !(Symbol.asyncIterator in result);
}

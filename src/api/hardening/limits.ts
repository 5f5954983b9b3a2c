import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { GraphQLError, parse, validate, type DocumentNode, type ValidationContext, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { HardeningConfig } from "./config.js";

/** The code every refused-as-too-big document carries; the message names the limit and the count. */
export const queryLimitExceeded = "QueryLimitExceeded";

const refusal = (message: string) => new GraphQLError(message, { extensions: { code: queryLimitExceeded, http: { status: 400 } } });

/** What an onValidate hook may return to run after validation (envelop's type, not re-exported by Yoga). */
export type AfterValidateHook = Exclude<ReturnType<NonNullable<Plugin["onValidate"]>>, void | undefined>;

type Limits = Pick<HardeningConfig, "maxDepth" | "maxAliases" | "maxTokens" | "maxDirectives" | "maxCost">;

/**
 * Depth, aliases, directives and cost are graphql-armor's rules (fragment-aware, cycle-safe,
 * maintained); tokens are graphql's own `parse(…, { maxTokens })`, which stops lexing at the
 * limit. The rules run on their own before the standard validation, and a refused document
 * skips it: a 10 000-alias bomb never reaches OverlappingFieldsCanBeMerged, which is quadratic.
 * `__schema` is left out of depth and cost (GraphiQL's own introspection query nests its type
 * references deeper than any data query needs); it reads no data, is bounded by the schema and
 * the token limit, and production refuses it outright (production.ts).
 */
export function queryLimits(limits: Limits): Plugin {
  // armor reports through onReject; the rule then reports our typed error instead of throwing.
  const report = (message: (found: number) => string) => ({
    exposeLimits: true,
    propagateOnRejection: false,
    ignoreIntrospection: true,
    onReject: [(context: unknown, error: GraphQLError) => (context as ValidationContext).reportError(refusal(message(foundIn(error))))],
  });
  const rules = [
    maxDepthRule({ n: limits.maxDepth, ...report((found) => `Query depth limit of ${limits.maxDepth} exceeded, found ${found}.`) }),
    maxAliasesRule({ n: limits.maxAliases, ...report((found) => `Aliases limit of ${limits.maxAliases} exceeded, found ${found}.`) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report((found) => `Directives limit of ${limits.maxDirectives} exceeded, found ${found}.`) }),
    costLimitRule({ maxCost: limits.maxCost, ...report((found) => `Query cost limit of ${limits.maxCost} exceeded, found ${found}.`) }),
  ] as unknown as ValidationRule[];
  const refusedByDocument = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          // graphql's message ("Document contains more that N tokens. Parsing aborted.", sic) is untyped.
          if (error instanceof GraphQLError && /Document contains more (?:than|that) \d+ tokens/.test(error.message)) {
            throw refusal(`Token limit of ${limits.maxTokens} exceeded.`);
          }
          throw error;
        }
      });
    },
    onValidate({ params: { schema, documentAST }, setResult }) {
      let refused = refusedByDocument.get(documentAST);
      if (!refused) {
        refused = validate(schema, documentAST, rules);
        refusedByDocument.set(documentAST, refused);
      }
      if (refused.length > 0) {
        setResult(refused);
        return;
      }
      return refuseAbortedValidation;
    },
  };
}

/**
 * graphql's OverlappingFieldsCanBeMerged gives up on a document whose same-named fields it would
 * have to compare pairwise beyond its budget (~1,000 repeats of one field) with a bare
 * "Validation aborted.": that is a document too big to check, and is refused as one. One
 * function for every request (no closure made per request: issue 17's HTTP overhead).
 */
const refuseAbortedValidation: AfterValidateHook = ({ result, setResult }) => {
  if (result.some((e) => e.message === "Validation aborted.")) {
    setResult([refusal("Query too complex to validate: too many fields of the same name in one selection (repeated, or through fragments). Merge or alias them.")]);
  }
};

/** armor's own message ends "…exceeded, found N." */
function foundIn(error: GraphQLError): number {
  const match = /found (\d+(?:\.\d+)?)/.exec(error.message);
  return match ? Math.round(Number(match[1])) : Number.NaN;
}

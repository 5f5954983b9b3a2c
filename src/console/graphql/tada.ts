import { initGraphQLTada } from "gql.tada";
import type { introspection } from "../generated/graphql-env.js";

/**
 * Every document the console sends is written with this tag and typed against the committed
 * schema (schema/schema.graphql → generated/graphql-env.d.ts by scripts/build-console.mjs): a
 * field renamed or removed on the server fails `npm run typecheck`, not a user's page.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; Position: number; JSON: unknown };
  // Fragments are for sharing selections here, not for hiding fields between components.
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf, TadaDocumentNode } from "gql.tada";

import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * PostgreSQL text and jsonb cannot hold U+0000, so no name, document or tag iamgraph stores can
 * contain it — but a request carrying one would reach the database and fail there as an
 * internal error. Refused here, once for every field, as the bad input it is (HTTP 400,
 * InvalidInput), before anything is looked up or written.
 */
export function rejectNulCharacters(): Plugin {
  return {
    onParams({ params, setResult }) {
      const inQuery = typeof params.query === "string" && (params.query.includes("\u0000") || /\\u0000/i.test(params.query));
      if (inQuery || holdsNul(params.variables) || holdsNul(params.extensions)) {
        setResult({
          errors: [
            new GraphQLError("The request contains the NUL character (U+0000), which no IAM name, path, tag or document may hold.", {
              extensions: { code: "InvalidInput", http: { status: 400 } },
            }),
          ],
        });
      }
    },
  };
}

function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes("\u0000") || holdsNul(v, depth + 1));
}

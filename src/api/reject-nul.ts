import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * PostgreSQL text and jsonb cannot hold U+0000, nor a lone UTF-16 surrogate (JSON's "\ud800"
 * decodes to one; it is no Unicode character and has no UTF-8 form), so no name, document or tag
 * iamgraph stores can contain either — but a request carrying one would reach the database (the
 * authorizer's resource lookups come first) and fail there as an internal error. Refused here,
 * once for every field, as the bad input it is (HTTP 400, InvalidInput), before anything is
 * looked up or written.
 */
export function rejectNulCharacters(): Plugin {
  // Clients send the same few documents again and again: a document text found clean is not
  // scanned again (bounded: only short texts, and the set is emptied when it is full).
  const cleanQueries = new Set<string>();
  const queryIsClean = (query: unknown): boolean => {
    if (typeof query !== "string") return true;
    if (cleanQueries.has(query)) return true;
    const clean = !query.includes("\u0000") && !/\\u0000/i.test(query) && !hasLoneSurrogate(query);
    if (clean && query.length <= 16_384) {
      if (cleanQueries.size >= 1_000) cleanQueries.clear();
      cleanQueries.add(query);
    }
    return clean;
  };
  return {
    onParams({ params, setResult }) {
      const cleanQuery = queryIsClean(params.query);
      // One pass over the variables and extensions for the clean case; which refusal only when not.
      if (cleanQuery && !holds(params.variables, hasEither) && !holds(params.extensions, hasEither)) return;
      const inQuery = !cleanQuery && typeof params.query === "string" && (params.query.includes("\u0000") || /\\u0000/i.test(params.query));
      const refuse = (message: string) => setResult({ errors: [new GraphQLError(message, { extensions: { code: "InvalidInput", http: { status: 400 } } })] });
      if (inQuery || holds(params.variables, hasNul) || holds(params.extensions, hasNul)) {
        refuse("The request contains the NUL character (U+0000), which no IAM name, path, tag or document may hold.");
      } else if (!cleanQuery || holds(params.variables, hasLoneSurrogate) || holds(params.extensions, hasLoneSurrogate)) {
        refuse("The request contains a lone UTF-16 surrogate (U+D800–U+DFFF unpaired), which is not a Unicode character: no IAM name, path, tag or document may hold it.");
      }
    },
  };
}

const hasNul = (text: string) => text.includes("\u0000");
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hasLoneSurrogate = (text: string) => loneSurrogate.test(text);
const hasEither = (text: string) => hasNul(text) || hasLoneSurrogate(text);

function holds(value: unknown, bad: (text: string) => boolean, depth = 0): boolean {
  if (typeof value === "string") return bad(value);
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => holds(v, bad, depth + 1));
  return Object.entries(value).some(([k, v]) => bad(k) || holds(v, bad, depth + 1));
}

/**
 * A policy document as the file holds it — a JSON object (the AWS CLI decodes them), or a string,
 * URL-encoded as the raw API returns it (RFC 3986, `%7B%22Version…`) or plain JSON — as text.
 * An object is written compactly; a string keeps AWS's own text once decoded. Throws a message
 * when the result is not JSON.
 */
export function decodeDocument(value: string | Record<string, unknown>): string {
  if (typeof value !== "string") return JSON.stringify(value);
  let text = value;
  if (!text.trimStart().startsWith("{")) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new Error("the document is neither JSON nor URL-encoded JSON (bad %-escape)");
    }
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new Error(`the document is not valid JSON after decoding (${(err as Error).message})`);
  }
  return text;
}

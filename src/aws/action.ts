import type { Caller } from "../auth/caller.js";
import { AwsError } from "./aws-error.js";
import type { AwsInput } from "./query-input.js";

/**
 * One Query API action: the GraphQL operation it is, and how its AWS parameters and result map
 * onto that operation's variables and data. The operation runs through the guarded schema with
 * the request's context (query-handler.ts), so an action is authorized by the same rule, sends
 * the same command through the same pipeline (src/api/mutation-commands.ts) and reads the same
 * read models as its GraphQL twin; nothing here decides anything.
 *
 * GraphQL aliases name the fields as AWS names the members (`UserName: userName`), so most
 * results are already in the output shape and the model's serialiser writes them as they are.
 */
export interface AwsAction {
  readonly document: string;
  readonly variables?: (input: AwsInput, caller: Caller) => Record<string, unknown>;
  readonly output?: (data: any, input: AwsInput, caller: Caller) => Record<string, unknown>;
}

export type ActionTable = Readonly<Record<string, AwsAction>>;

/** A mutation's `<Field>Result` union: its IamError member is the AWS error, anything else the payload. */
export function payload<T = any>(result: any): T {
  if (result?.__typename === "IamError") throw new AwsError(result.code, result.message);
  return result as T;
}

/** Selects a `<Field>Result` union's error member; mutations spread it next to their payload. */
export const onIamError = "__typename ... on IamError { code message }";

/** AWS's MaxItems (1–1000, default 100) and Marker as a connection's `first` and `after`. */
export function pageArgs(input: AwsInput): { first: number; after?: string } {
  const maxItems = (input.MaxItems as number | undefined) ?? 100;
  if (maxItems < 1 || maxItems > 1000) throw new AwsError("ValidationError", `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  return { first: maxItems, ...(input.Marker ? { after: String(input.Marker) } : {}) };
}

/** A connection's page as AWS's list result: the items, IsTruncated and (when truncated) the Marker for the next call. */
export function fromConnection<T>(connection: { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const items = connection.edges.map((e) => e.node);
  return connection.pageInfo.hasNextPage && connection.pageInfo.endCursor ? { items, IsTruncated: true, Marker: connection.pageInfo.endCursor } : { items, IsTruncated: false };
}

/**
 * Lists the GraphQL API returns whole (a user's groups, a policy's versions…) paged as AWS pages
 * them: the Marker is the offset of the next item, opaque to clients.
 */
export function pageOf<T>(all: readonly T[], input: AwsInput): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const { first, after } = pageArgs(input);
  const start = after === undefined ? 0 : offsetOf(after);
  const items = all.slice(start, start + first);
  const next = start + items.length;
  return next < all.length ? { items, IsTruncated: true, Marker: Buffer.from(`offset:${next}`).toString("base64") } : { items, IsTruncated: false };
}

function offsetOf(marker: string): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(marker, "base64").toString("utf8"));
  if (!match) throw new AwsError("InvalidInput", "Invalid Marker.");
  return Number(match[1]);
}

/**
 * A parameter of the model that iamgraph does not implement is refused by name (InvalidInput),
 * never ignored: an ignored filter would answer a question the caller did not ask.
 */
export function refuseUnsupported(input: AwsInput, action: string, ...names: string[]): void {
  for (const name of names) {
    if (input[name] !== undefined) throw new AwsError("InvalidInput", `iamgraph does not implement the ${name} parameter of ${action}.`);
  }
}

/** A managed policy's path, from its ARN (`arn:aws:iam::<account>:policy<path><name>`). */
export function policyPathOf(policyArn: string): string {
  const resource = policyArn.split(":").slice(5).join(":"); // policy/ops/Name
  const slash = resource.lastIndexOf("/");
  return resource.slice("policy".length, slash + 1) || "/";
}

/** AWS returns policy documents URL-encoded (RFC 3986), as it received them after decoding. */
export const encodeDocument = (document: string | null | undefined) => (document == null ? undefined : encodeURIComponent(document));

/** Tags: AWS's `{Key, Value}` to GraphQL's `{key, value}`. */
export const tagsIn = (tags: unknown) => (tags as { Key: string; Value: string }[] | undefined)?.map((t) => ({ key: t.Key, value: t.Value }));

/** A query field that answers null for an absent entity: AWS's NoSuchEntity. */
export function found<T>(value: T | null | undefined, message: string): T {
  if (value == null) throw new AwsError("NoSuchEntity", message);
  return value;
}

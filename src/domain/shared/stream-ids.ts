/**
 * Stream ids: each user, group, role and customer-managed policy has one stream in the log,
 * named `<kind>-<entity id>` (`user-AIDA…`). This module is the only place that builds or parses
 * them; a stream id is stored in every event, so the format can never change.
 */

export type StreamKind = "user" | "group" | "role" | "policy";

const kinds: ReadonlySet<string> = new Set<StreamKind>(["user", "group", "role", "policy"]);

export function streamIdOf(kind: StreamKind, entityId: string): string {
  return `${kind}-${entityId}`;
}

export const userStreamId = (userId: string) => streamIdOf("user", userId);
export const groupStreamId = (groupId: string) => streamIdOf("group", groupId);
export const roleStreamId = (roleId: string) => streamIdOf("role", roleId);
export const policyStreamId = (policyId: string) => streamIdOf("policy", policyId);

/**
 * An OpenID Connect provider's stream: `oidc-provider-<url without https://>`. Not one of the
 * entity kinds above (parseStreamId answers undefined for it): a provider is no principal and
 * no policy holder, so history and time travel have nothing to fold it into.
 */
export const oidcProviderStreamId = (urlKey: string) => `oidc-provider-${urlKey}`;

/** The kind and entity id a stream id names; undefined for a stream that is not an entity's. */
export function parseStreamId(streamId: string): { readonly kind: StreamKind; readonly id: string } | undefined {
  const dash = streamId.indexOf("-");
  const kind = streamId.slice(0, dash);
  return dash > 0 && kinds.has(kind) ? { kind: kind as StreamKind, id: streamId.slice(dash + 1) } : undefined;
}

export function streamKind(streamId: string): StreamKind | undefined {
  return parseStreamId(streamId)?.kind;
}

/** The entity id in a stream id (everything after the kind); the stream id itself if it names no entity. */
export function entityIdOfStream(streamId: string): string {
  return parseStreamId(streamId)?.id ?? streamId;
}

/**
 * The same ids built in SQL, from a read-model column holding the entity id (`'user-' || id`),
 * for queries that answer with stream ids.
 */
export function streamIdSql(kind: StreamKind, idColumn: string): string {
  return `'${kind}-' || ${idColumn}`;
}

import type { Projection, RowOp } from "./projection.js";

/** oidc_providers: the account's OpenID Connect providers (ListOpenIDConnectProviders, GetOpenIDConnectProvider). */
export const oidcProvidersProjection: Projection = {
  name: "oidc_providers",
  tables: ["oidc_providers"],
  handles: new Set([
    "OpenIDConnectProviderCreated",
    "OpenIDConnectProviderThumbprintUpdated",
    "OpenIDConnectProviderClientIdAdded",
    "OpenIDConnectProviderClientIdRemoved",
    "OpenIDConnectProviderDeleted",
  ]),
  apply(e): RowOp[] {
    const where = { arn: (e.data as { arn: string }).arn };
    switch (e.type) {
      case "OpenIDConnectProviderCreated": {
        const d = e.data;
        const row = { arn: d.arn, account_id: e.metadata.accountId, url: d.url, client_ids: d.clientIds, thumbprints: d.thumbprints, tags: d.tags, created_at: e.occurredAt.toISOString(), stream_version: e.streamVersion };
        return [{ op: "insert", table: "oidc_providers", row }];
      }
      case "OpenIDConnectProviderThumbprintUpdated":
        return [{ op: "update", table: "oidc_providers", where, set: { thumbprints: e.data.thumbprints, stream_version: e.streamVersion } }];
      case "OpenIDConnectProviderClientIdAdded":
      case "OpenIDConnectProviderClientIdRemoved":
        return [{ op: "update", table: "oidc_providers", where, set: { client_ids: e.data.clientIds, stream_version: e.streamVersion } }];
      case "OpenIDConnectProviderDeleted":
        return [{ op: "delete", table: "oidc_providers", where }];
      default:
        return [];
    }
  },
};

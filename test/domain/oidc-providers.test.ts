import { describe, it } from "vitest";
import type { IamEvent } from "../../events/catalogue.js";
import { decideOidcProvider, maxOidcProvidersPerAccount, type OidcDecisionInput, type OidcProviderCommand } from "../../src/domain/oidc-providers/decide.js";
import { evolveOidcProvider, initialOidcProviderState } from "../../src/domain/oidc-providers/state.js";
import { accountId, deciderSpec } from "./spec.js";

// OpenID Connect providers (CreateOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
// Add/RemoveClientID…, DeleteOpenIDConnectProvider; IAM API reference and quotas).
const given = deciderSpec({
  initial: initialOidcProviderState,
  evolve: evolveOidcProvider,
  decide: (command: OidcProviderCommand, input: OidcDecisionInput) => decideOidcProvider(command, input, accountId),
  input: (provider, facts: Partial<OidcDecisionInput>): OidcDecisionInput => ({ ...facts, provider }),
});

const url = "https://token.actions.githubusercontent.com";
const arn = `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`;
const created: IamEvent = { type: "OpenIDConnectProviderCreated", data: { arn, url, clientIds: ["sts.amazonaws.com"], thumbprints: [], tags: [] } };
const create = (u: string, extra: { clientIds?: string[]; thumbprints?: string[] } = {}) =>
  ({ type: "CreateOpenIDConnectProvider", url: u, clientIds: extra.clientIds ?? ["sts.amazonaws.com"], thumbprints: extra.thumbprints ?? [], tags: [] }) as const;

describe("OpenID Connect providers", () => {
  it("CreateOpenIDConnectProvider: the ARN is the URL without its scheme (a trailing slash dropped); duplicate client ids collapse", () => {
    given().when(create(`${url}/`, { clientIds: ["sts.amazonaws.com", "sts.amazonaws.com"] })).then([created]);
  });
  it("a URL is registered once per account", () => {
    given([created]).when(create(url)).thenFails("EntityAlreadyExists", `Provider with url ${url} already exists.`);
  });
  it("a deleted provider's URL can be registered again", () => {
    given([created, { type: "OpenIDConnectProviderDeleted", data: { arn, url } }]).when(create(url)).then([created]);
  });
  it("the URL must be https, with no query or fragment", () => {
    for (const bad of ["http://example.com", "https://example.com/?a=1", "https://example.com/#x", "example.com", `https://${"a".repeat(250)}.com`]) {
      given().when(create(bad)).thenFails("InvalidInput");
    }
  });
  it("at most 5 thumbprints of 40 hex digits", () => {
    given().when(create(url, { thumbprints: Array.from({ length: 6 }, () => "a".repeat(40)) })).thenFails("InvalidInput");
    given().when(create(url, { thumbprints: ["z".repeat(40)] })).thenFails("InvalidInput");
  });
  it("at most 100 providers per account", () => {
    given([], { providersInAccount: maxOidcProvidersPerAccount }).when(create(url)).thenFails("LimitExceeded");
  });
  it("AddClientID appends, and is idempotent", () => {
    given([created]).when({ type: "AddClientIDToOpenIDConnectProvider", providerArn: arn, clientId: "web" }).then([
      { type: "OpenIDConnectProviderClientIdAdded", data: { arn, clientId: "web", clientIds: ["sts.amazonaws.com", "web"] } },
    ]);
    given([created]).when({ type: "AddClientIDToOpenIDConnectProvider", providerArn: arn, clientId: "sts.amazonaws.com" }).then([]);
  });
  it("RemoveClientID removes, and is idempotent", () => {
    given([created]).when({ type: "RemoveClientIDFromOpenIDConnectProvider", providerArn: arn, clientId: "sts.amazonaws.com" }).then([
      { type: "OpenIDConnectProviderClientIdRemoved", data: { arn, clientId: "sts.amazonaws.com", clientIds: [] } },
    ]);
    given([created]).when({ type: "RemoveClientIDFromOpenIDConnectProvider", providerArn: arn, clientId: "absent" }).then([]);
  });
  it("operations on a provider that does not exist: NoSuchEntity in AWS's words", () => {
    given().when({ type: "DeleteOpenIDConnectProvider", providerArn: arn }).thenFails("NoSuchEntity", `OpenIDConnect Provider not found for arn ${arn}`);
    given().when({ type: "UpdateOpenIDConnectProviderThumbprint", providerArn: arn, thumbprints: [] }).thenFails("NoSuchEntity");
  });
  it("UpdateOpenIDConnectProviderThumbprint replaces the list", () => {
    given([created]).when({ type: "UpdateOpenIDConnectProviderThumbprint", providerArn: arn, thumbprints: ["b".repeat(40)] }).then([
      { type: "OpenIDConnectProviderThumbprintUpdated", data: { arn, thumbprints: ["b".repeat(40)] } },
    ]);
  });
});

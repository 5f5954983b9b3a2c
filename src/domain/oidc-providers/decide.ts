import type { EventOfType } from "../../../events/catalogue.js";
import { assertNever } from "../shared/assert-never.js";
import { DomainError, invalidInput } from "../shared/domain-error.js";
import { checkTags, mergeTags, type Tag } from "../shared/tags.js";
import type { OidcProviderState } from "./state.js";

// AWS's rules for OpenID Connect providers (CreateOpenIDConnectProvider and friends, IAM API
// reference; reference_iam-quotas): an https URL of at most 255 characters with a host and an
// optional path (no query, no fragment), registered once per account; up to 100 client ids of
// 1–255 characters; up to 5 thumbprints of 40 hex digits; up to 100 providers per account.
// Adding a client id already present, or removing one absent, succeeds and changes nothing.

export type OidcProviderCommand =
  | { readonly type: "CreateOpenIDConnectProvider"; readonly url: string; readonly clientIds: readonly string[]; readonly thumbprints: readonly string[]; readonly tags: readonly Tag[] }
  | { readonly type: "UpdateOpenIDConnectProviderThumbprint"; readonly providerArn: string; readonly thumbprints: readonly string[] }
  | { readonly type: "AddClientIDToOpenIDConnectProvider"; readonly providerArn: string; readonly clientId: string }
  | { readonly type: "RemoveClientIDFromOpenIDConnectProvider"; readonly providerArn: string; readonly clientId: string }
  | { readonly type: "DeleteOpenIDConnectProvider"; readonly providerArn: string };

export type OidcProviderEvent = EventOfType<
  | "OpenIDConnectProviderCreated"
  | "OpenIDConnectProviderThumbprintUpdated"
  | "OpenIDConnectProviderClientIdAdded"
  | "OpenIDConnectProviderClientIdRemoved"
  | "OpenIDConnectProviderDeleted"
>;

export const maxOidcProvidersPerAccount = 100;
export const maxClientIdsPerProvider = 100;
export const maxThumbprints = 5;

/** `https://token.actions.githubusercontent.com/` → `token.actions.githubusercontent.com` (the ARN's and the stream's key). */
export function oidcUrlKey(url: string): string {
  return url.replace(/^https:\/\//i, "").replace(/\/+$/, "");
}

export const oidcProviderArn = (accountId: string, url: string) => `arn:aws:iam::${accountId}:oidc-provider/${oidcUrlKey(url)}`;

/** The URL key an OIDC provider ARN names, or undefined for another kind of ARN. */
export function urlKeyOfProviderArn(arn: string, accountId: string): string | undefined {
  const prefix = `arn:aws:iam::${accountId}:oidc-provider/`;
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

export function notFound(arn: string): DomainError {
  return new DomainError("NoSuchEntity", `OpenIDConnect Provider not found for arn ${arn}`);
}

function checkUrl(url: string): void {
  if (url.length < 1 || url.length > 255) throw invalidInput(`1 validation error detected: Value '${url}' at 'url' failed to satisfy constraint: Member must have length between 1 and 255`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput("Invalid Openid Connect Provider URL");
  }
  if (parsed.protocol !== "https:" || parsed.search !== "" || parsed.hash !== "" || parsed.username !== "" || parsed.hostname === "") {
    throw invalidInput("Invalid Openid Connect Provider URL");
  }
}

function checkClientId(clientId: string, member: string): void {
  if (clientId.length < 1 || clientId.length > 255) throw invalidInput(`1 validation error detected: Value '${clientId}' at '${member}' failed to satisfy constraint: Member must have length between 1 and 255`);
}

function checkThumbprints(thumbprints: readonly string[]): void {
  if (thumbprints.length > maxThumbprints) throw invalidInput(`Thumbprint list must contain at most ${maxThumbprints} entries.`);
  for (const t of thumbprints) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) throw invalidInput(`1 validation error detected: Value '${t}' at 'thumbprintList' failed to satisfy constraint: Member must have length 40 and consist of hexadecimal digits`);
  }
}

export interface OidcDecisionInput {
  readonly provider: OidcProviderState;
  readonly providersInAccount?: number;
}

export function decideOidcProvider(command: OidcProviderCommand, input: OidcDecisionInput, accountId: string): OidcProviderEvent[] {
  const { provider } = input;
  switch (command.type) {
    case "CreateOpenIDConnectProvider": {
      checkUrl(command.url);
      command.clientIds.forEach((c) => checkClientId(c, "clientIDList.member"));
      if (command.clientIds.length > maxClientIdsPerProvider) throw new DomainError("LimitExceeded", `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${maxClientIdsPerProvider}`);
      checkThumbprints(command.thumbprints);
      checkTags(command.tags);
      mergeTags([], command.tags, "TagsPerOpenIdConnectProvider");
      const url = `https://${oidcUrlKey(command.url)}`;
      if (provider.status === "active") throw new DomainError("EntityAlreadyExists", `Provider with url ${url} already exists.`);
      if ((input.providersInAccount ?? 0) >= maxOidcProvidersPerAccount) throw new DomainError("LimitExceeded", `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${maxOidcProvidersPerAccount}`);
      const clientIds = [...new Set(command.clientIds)];
      return [{ type: "OpenIDConnectProviderCreated", data: { arn: oidcProviderArn(accountId, url), url, clientIds, thumbprints: [...command.thumbprints], tags: [...command.tags] } }];
    }
    case "UpdateOpenIDConnectProviderThumbprint": {
      if (provider.status !== "active") throw notFound(command.providerArn);
      checkThumbprints(command.thumbprints);
      return [{ type: "OpenIDConnectProviderThumbprintUpdated", data: { arn: provider.arn, thumbprints: [...command.thumbprints] } }];
    }
    case "AddClientIDToOpenIDConnectProvider": {
      checkClientId(command.clientId, "clientID");
      if (provider.status !== "active") throw notFound(command.providerArn);
      if (provider.clientIds.includes(command.clientId)) return [];
      if (provider.clientIds.length >= maxClientIdsPerProvider) throw new DomainError("LimitExceeded", `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${maxClientIdsPerProvider}`);
      return [{ type: "OpenIDConnectProviderClientIdAdded", data: { arn: provider.arn, clientId: command.clientId, clientIds: [...provider.clientIds, command.clientId] } }];
    }
    case "RemoveClientIDFromOpenIDConnectProvider": {
      checkClientId(command.clientId, "clientID");
      if (provider.status !== "active") throw notFound(command.providerArn);
      if (!provider.clientIds.includes(command.clientId)) return [];
      return [{ type: "OpenIDConnectProviderClientIdRemoved", data: { arn: provider.arn, clientId: command.clientId, clientIds: provider.clientIds.filter((c) => c !== command.clientId) } }];
    }
    case "DeleteOpenIDConnectProvider":
      if (provider.status !== "active") throw notFound(command.providerArn);
      return [{ type: "OpenIDConnectProviderDeleted", data: { arn: provider.arn, url: provider.url } }];
    default:
      return assertNever(command);
  }
}

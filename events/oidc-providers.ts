import { z } from "zod";
import { defineEvent } from "./event-definition.js";

// OpenID Connect identity providers (issue 18). Stream: `oidc-provider-<url key>`, the URL
// without its scheme (src/domain/shared/stream-ids.ts): AWS gives a provider no unique id, its
// ARN is built from the URL, and a URL can be registered once per account.

const tag = z.object({ key: z.string(), value: z.string() });

export const OpenIDConnectProviderCreated = defineEvent(
  "OpenIDConnectProviderCreated",
  z.object({ arn: z.string(), url: z.string(), clientIds: z.array(z.string()), thumbprints: z.array(z.string()), tags: z.array(tag) }),
);

export const OpenIDConnectProviderThumbprintUpdated = defineEvent(
  "OpenIDConnectProviderThumbprintUpdated",
  z.object({ arn: z.string(), thumbprints: z.array(z.string()) }),
);

// Each carries the provider's client ids after the change too, so a read model needs no read.
export const OpenIDConnectProviderClientIdAdded = defineEvent(
  "OpenIDConnectProviderClientIdAdded",
  z.object({ arn: z.string(), clientId: z.string(), clientIds: z.array(z.string()) }),
);

export const OpenIDConnectProviderClientIdRemoved = defineEvent(
  "OpenIDConnectProviderClientIdRemoved",
  z.object({ arn: z.string(), clientId: z.string(), clientIds: z.array(z.string()) }),
);

export const OpenIDConnectProviderDeleted = defineEvent("OpenIDConnectProviderDeleted", z.object({ arn: z.string(), url: z.string() }));

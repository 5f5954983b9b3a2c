import type { IamEvent } from "../../../events/catalogue.js";
import type { Tag } from "../shared/tags.js";

export type OidcProviderState =
  | { readonly status: "absent" }
  | {
      readonly status: "active";
      readonly arn: string;
      readonly url: string;
      readonly clientIds: readonly string[];
      readonly thumbprints: readonly string[];
      readonly tags: readonly Tag[];
    }
  | { readonly status: "deleted"; readonly arn: string };

export const initialOidcProviderState: OidcProviderState = { status: "absent" };

export function evolveOidcProvider(state: OidcProviderState, event: IamEvent): OidcProviderState {
  switch (event.type) {
    case "OpenIDConnectProviderCreated":
      return { status: "active", ...event.data };
    case "OpenIDConnectProviderThumbprintUpdated":
      return state.status === "active" ? { ...state, thumbprints: event.data.thumbprints } : state;
    case "OpenIDConnectProviderClientIdAdded":
    case "OpenIDConnectProviderClientIdRemoved":
      return state.status === "active" ? { ...state, clientIds: event.data.clientIds } : state;
    case "OpenIDConnectProviderDeleted":
      return { status: "deleted", arn: event.data.arn };
    default:
      return state;
  }
}

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ApiClient } from "./client.js";

export interface Session {
  readonly client: ApiClient;
  readonly caller: { readonly arn: string; readonly account: string; readonly userId: string };
  /** Grows with every event the live tail delivers: queries refetch when it moves. */
  readonly revision: number;
  signOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}

export const isRoot = (arn: string) => arn.endsWith(":root");

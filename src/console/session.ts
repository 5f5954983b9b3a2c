/**
 * The signed-in access key. Kept in sessionStorage (this tab only, gone when it closes) so a
 * reload does not sign out; never in the URL, never logged, never sent anywhere but our API.
 */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const key = "iamgraph.credentials";

export function loadCredentials(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    const parsed = raw ? (JSON.parse(raw) as Partial<Credentials>) : undefined;
    return parsed?.accessKeyId && parsed.secretAccessKey ? { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey } : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: Credentials | undefined): void {
  if (credentials) sessionStorage.setItem(key, JSON.stringify(credentials));
  else sessionStorage.removeItem(key);
}

/** HTTP Basic, as the API accepts it (README, "Signing a request"). */
export function authorizationOf(c: Credentials): string {
  const bytes = new TextEncoder().encode(`${c.accessKeyId}:${c.secretAccessKey}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

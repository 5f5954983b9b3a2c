import { AuthenticationFailure, malformedHeader, missingToken } from "./authentication-failure.js";

export interface PresentedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The request scheme: HTTP Basic (RFC 7617) with the access key id as user name and the secret
 * as password — `Authorization: Basic base64(AKIA…:secret)`, what `curl -u` sends. The secret
 * itself travels (so use TLS): AWS's SigV4 signs with the secret instead, which would require
 * storing it recoverably; iamgraph keeps only a slow hash.
 */
export function parseAuthorizationHeader(value: string | null | undefined): PresentedCredentials | AuthenticationFailure {
  if (value == null || value.trim() === "") return missingToken();
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(value);
  if (!match || value.length > 512) return malformedHeader();
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return malformedHeader();
  const accessKeyId = decoded.slice(0, colon);
  const secretAccessKey = decoded.slice(colon + 1);
  // AWS AccessKeyId: 16–128 word characters.
  if (!/^\w{16,128}$/.test(accessKeyId) || secretAccessKey.length > 128) return malformedHeader();
  return { accessKeyId, secretAccessKey };
}

/** The header value for a key pair (clients, tests, the CLI's printout). */
export function basicAuthorization(accessKeyId: string, secretAccessKey: string): string {
  return `Basic ${Buffer.from(`${accessKeyId}:${secretAccessKey}`, "utf8").toString("base64")}`;
}

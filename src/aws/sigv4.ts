import { createHash, createHmac } from "node:crypto";
import { AuthenticationFailure } from "../auth/authentication-failure.js";

/**
 * AWS Signature Version 4 (IAM User Guide, "Create a signed AWS API request"): the canonical
 * request, the string to sign and the signing key, computed from what the client sent so the
 * server can recompute the signature with the stored secret. Both forms: the Authorization
 * header and the presigned query string (X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…).
 * The verification itself (secret lookup, clock, caching) is the authenticator's
 * (src/auth/authenticator.ts `authenticateSigned`).
 */
export const sigV4Algorithm = "AWS4-HMAC-SHA256";

/** What a signed request carries, taken apart. */
export interface SignedRequestParts {
  readonly accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** X-Amz-Date: yyyymmddThhmmssZ. */
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Security-Token: temporary credentials (STS); see the authenticator's session-token hook. */
  readonly sessionToken?: string;
  /** Presigned URLs only: X-Amz-Expires, seconds. */
  readonly expiresSeconds?: number;
  readonly presigned: boolean;
}

/** The request as the signature covers it. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export const incompleteSignature = (message: string) => new AuthenticationFailure("IncompleteSignature", message);

/** Whether the request claims SigV4 at all (then it must verify: no fallback to another scheme). */
export function isSigV4(request: { readonly url: URL; readonly headers: Headers }): boolean {
  // No query string (every GraphQL POST): no URLSearchParams is built to learn that.
  return (request.headers.get("authorization") ?? "").startsWith(sigV4Algorithm) || (request.url.search !== "" && request.url.searchParams.has("X-Amz-Signature"));
}

/** Takes a header or presigned query apart; IncompleteSignature with AWS's wording when something is missing. */
export function parseSignedRequest(request: { readonly url: URL; readonly headers: Headers }): SignedRequestParts | AuthenticationFailure {
  const header = request.headers.get("authorization");
  const query = request.url.searchParams;
  let credential: string | undefined, signedHeaders: string | undefined, signature: string | undefined, amzDate: string | undefined, expires: string | undefined;
  const presigned = !header?.startsWith(sigV4Algorithm);
  if (!presigned) {
    const fields = new Map<string, string>();
    for (const part of header!.slice(sigV4Algorithm.length).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    credential = fields.get("Credential");
    signedHeaders = fields.get("SignedHeaders");
    signature = fields.get("Signature");
    amzDate = request.headers.get("x-amz-date") ?? undefined;
    const missing = [!credential && "Credential", !signedHeaders && "SignedHeaders", !signature && "Signature"].filter(Boolean);
    if (missing.length > 0) return incompleteSignature(`Authorization header requires ${missing.map((m) => `'${m}'`).join(", ")} parameter${missing.length > 1 ? "s" : ""}. Authorization=${header!.slice(0, 200)}`);
    if (!amzDate) return incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  } else {
    if (query.get("X-Amz-Algorithm") !== sigV4Algorithm) return incompleteSignature(`Unsupported AWS 'algorithm': '${query.get("X-Amz-Algorithm") ?? ""}'`);
    credential = query.get("X-Amz-Credential") ?? undefined;
    signedHeaders = query.get("X-Amz-SignedHeaders") ?? undefined;
    signature = query.get("X-Amz-Signature") ?? undefined;
    amzDate = query.get("X-Amz-Date") ?? undefined;
    expires = query.get("X-Amz-Expires") ?? undefined;
    const missing = [!credential && "X-Amz-Credential", !signedHeaders && "X-Amz-SignedHeaders", !signature && "X-Amz-Signature", !amzDate && "X-Amz-Date"].filter(Boolean);
    if (missing.length > 0) return incompleteSignature(`AWS query-string parameters must include ${missing.map((m) => `'${m}'`).join(", ")}. Re-examine the query-string parameters.`);
  }
  const scope = credential!.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request" || !/^\w{1,128}$/.test(scope[0]!) || !/^\d{8}$/.test(scope[1]!)) {
    return incompleteSignature(`Credential should be scoped to a valid region, not '${scope[2] ?? ""}'. Credential=${credential!.slice(0, 200)}`);
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate!)) return incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${amzDate!.slice(0, 40)}'.`);
  if (!/^[0-9a-f]{64}$/.test(signature!)) return incompleteSignature("The signature must be 64 hexadecimal digits.");
  const expiresSeconds = expires === undefined ? undefined : Number(expires);
  if (expiresSeconds !== undefined && (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604_800)) {
    return incompleteSignature("X-Amz-Expires must be a whole number of seconds from 1 to 604800.");
  }
  const sessionToken = (presigned ? query.get("X-Amz-Security-Token") : request.headers.get("x-amz-security-token")) ?? undefined;
  return {
    accessKeyId: scope[0]!,
    scopeDate: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    amzDate: amzDate!,
    signedHeaders: signedHeaders!.split(";"),
    signature: signature!,
    presigned,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
  };
}

/** X-Amz-Date as epoch milliseconds. */
export function amzDateMillis(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** RFC 3986 unreserved characters stay; everything else is %XX, upper-case (SigV4's URI encoding). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The canonical request (method, URI, query, headers, signed header names, payload hash). */
export function canonicalRequest(request: SignableRequest, parts: Pick<SignedRequestParts, "signedHeaders" | "presigned">): string {
  // Non-S3 services encode each path segment twice: the raw path is already encoded once.
  const path = request.url.pathname.split("/").map((segment) => uriEncode(decodeComponent(segment)).replace(/%/g, "%25")).join("/") || "/";
  const pairs: [string, string][] = [];
  const raw = request.url.search.startsWith("?") ? request.url.search.slice(1) : request.url.search;
  for (const piece of raw.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const key = decodeComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? "" : decodeComponent(piece.slice(eq + 1));
    if (parts.presigned && key === "X-Amz-Signature") continue;
    pairs.push([uriEncode(key), uriEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const headers = parts.signedHeaders.map((name) => {
    const value = name === "host" ? (request.headers.get("host") ?? request.url.host) : (request.headers.get(name) ?? "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  const payloadHash = createHash("sha256").update(request.body).digest("hex");
  return [request.method.toUpperCase(), path, pairs.map(([k, v]) => `${k}=${v}`).join("&"), headers.join(""), parts.signedHeaders.join(";"), payloadHash].join("\n");
}

export function stringToSign(parts: Pick<SignedRequestParts, "amzDate" | "scopeDate" | "region" | "service">, canonical: string): string {
  const scope = `${parts.scopeDate}/${parts.region}/${parts.service}/aws4_request`;
  return [sigV4Algorithm, parts.amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
}

/** kSigning = HMAC chain over date, region, service, "aws4_request", keyed first by "AWS4" + secret. */
export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), service), "aws4_request");
}

/** The signature the request should carry under `key` (hex). */
export function expectedSignature(key: Buffer, parts: SignedRequestParts, request: SignableRequest): string {
  return createHmac("sha256", key).update(stringToSign(parts, canonicalRequest(request, parts)), "utf8").digest("hex");
}

/** A Fetch API request as the signature covers it; the body is read from a clone, so the request can still be consumed. */
export async function signableRequest(request: Request, body?: Uint8Array): Promise<SignableRequest> {
  return { method: request.method, url: new URL(request.url), headers: request.headers, body: body ?? new Uint8Array(await request.clone().arrayBuffer()) };
}

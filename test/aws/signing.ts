import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

const bytes = (d: string | ArrayBuffer | ArrayBufferView) =>
  typeof d === "string" ? Buffer.from(d, "utf8") : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** The signer's hash interface over node:crypto (the SDK's own is a transitive package). */
export class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.#hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.#hash.digest());
  }
  reset() {}
}

export interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * A request signed by the AWS SDK's own SigV4 signer, sent with fetch: for the refusal cases
 * (another body than the one signed, an old date) that an SDK client cannot be made to send.
 */
export async function signedFetch(
  endpoint: string,
  key: Key,
  options: { body?: string; sendBody?: string; path?: string; method?: string; service?: string; signingDate?: Date; contentType?: string; presign?: boolean; query?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials: key, region: "us-east-1", service: options.service ?? "iam", sha256: Sha256 });
  const request = {
    method: options.method ?? "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: options.path ?? "/",
    query: options.query ?? {},
    headers: { host: url.host, ...(options.body !== undefined ? { "content-type": options.contentType ?? "application/x-www-form-urlencoded; charset=utf-8" } : {}) } as Record<string, string>,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
  const signed = options.presign
    ? await signer.presign(request, { expiresIn: 300, ...(options.signingDate ? { signingDate: options.signingDate } : {}) })
    : await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  const { host: _host, ...headers } = signed.headers;
  return fetch(`${url.origin}${signed.path}${query ? `?${query}` : ""}`, { method: signed.method, headers, ...(options.body !== undefined ? { body: options.sendBody ?? options.body } : {}) });
}

/** `<Code>` and `<Message>` of an ErrorResponse. */
export async function awsError(response: Response): Promise<{ status: number; code?: string; message?: string; body: string }> {
  const body = await response.text();
  const text = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e]!);
  return { status: response.status, code: text("Code"), message: text("Message"), body };
}

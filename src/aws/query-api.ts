import type { IncomingMessage } from "node:http";
import { parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import type { Plugin, YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import { originOf } from "../api/authentication.js";
import { requestIdOf } from "../api/hardening/request-id.js";
import { AuthenticationFailure } from "../auth/authentication-failure.js";
import type { Authenticator } from "../auth/authenticator.js";
import { errorCodes } from "../domain/shared/domain-error.js";
import type { AwsAction } from "./action.js";
import { awsActions } from "./actions/index.js";
import { unsignedStsActions } from "./actions/sts.js";
import { AwsError } from "./aws-error.js";
import { readInput } from "./query-input.js";
import { serviceByVersion, serviceModels, type ServiceModel } from "./service-model.js";
import { isSigV4, signableRequest } from "./sigv4.js";
import { supportedActions } from "./supported-actions.js";
import { errorXml, responseXml } from "./xml-output.js";

export interface QueryApiDeps {
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  /** The Yoga instance this plugin belongs to (made after its plugins, hence a getter). */
  readonly yoga: () => YogaServerInstance<any, any>;
}

/**
 * The AWS Query protocol (IAM and STS) at `/`: `POST /` with a form body, or `GET /?Action=…`.
 * A plain `GET /` (no Action) is not ours and passes on (the console serves it). Each request is
 * verified (SigV4 only: see below), read by the service model, run as its GraphQL twin through
 * this server's own envelope — the same context, rate limit, error masking and guarded schema —
 * and written back as AWS's XML.
 *
 * HTTP Basic is not accepted here: a browser that once answered our Basic prompt would attach
 * those credentials to a cross-site form POST by itself, and a form POST is exactly what this
 * endpoint takes. AWS clients always sign.
 */
export function awsQueryPlugin(deps: QueryApiDeps): Plugin {
  return {
    // Synchronous for every request that is not the Query API's (all of GraphQL's): no promise.
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (!isQueryApiRequest(request.method, url, request.headers)) return;
      return answer(request, url, serverContext, endResponse, fetchAPI);
    },
  };
  async function answer(request: Request, url: URL, serverContext: object, endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }): Promise<void> {
    const requestId = requestIdOf(request);
    let model: ServiceModel | undefined;
    let body: string;
    let status = 200;
    try {
      const bytes = request.method === "POST" ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array();
      const params = new URLSearchParams(wellFormedQuery(url.search.slice(1)));
      for (const [k, v] of new URLSearchParams(wellFormedQuery(utf8(bytes)))) params.append(k, v);
      const action = params.get("Action");
      model = serviceModels[serviceByVersion(params.get("Version")) ?? (supportedActions.sts.includes(action as never) ? "sts" : "iam")];
      const origin = originOf(request, (serverContext as { req?: IncomingMessage }).req);
      const unsigned = model.service === "sts" && unsignedStsActions.has(action ?? "");
      const caller = await authenticate(deps.authenticator, request, url, bytes, origin.sourceIp, unsigned);
      if (!action) throw new AwsError("MissingAction", "The request is missing an action or a required parameter.");
      const handler = awsActions[model.service][action];
      const operation = model.operations[action];
      if (!handler || !operation) throw new AwsError("InvalidAction", `Could not find operation ${action} for version ${params.get("Version") ?? model.apiVersion}`);
      for (const value of params.values()) if (value.includes("\u0000")) throw new AwsError("InvalidInput", "Parameters must not contain the NUL character.");
      const input = readInput(model, operation.input, params);
      const data = await run(deps.yoga(), handler, input, caller, origin, request, serverContext);
      body = responseXml(model, action, handler.output ? handler.output(data, input, caller) : {}, requestId);
      deps.logger.debug({ requestId, action, caller: caller.arn }, "aws query api");
    } catch (err) {
      const error = asAwsError(err, deps.logger, requestId);
      status = error.status;
      body = errorXml(model, error, requestId);
      deps.logger.info({ requestId, code: error.code, status }, "aws query api refused");
    }
    endResponse(xmlResponse(fetchAPI, body, status, requestId));
  }
}

const xmlResponse = (fetchAPI: { Response: typeof Response }, body: string, status: number, requestId: string) =>
  new fetchAPI.Response(body, { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId } });

/**
 * A refusal made before this plugin runs (the body-size limit in src/api/yoga.ts), answered as
 * AWS's XML ErrorResponse when the request is a Query API one, so AWS clients read a typed error
 * rather than GraphQL's JSON; undefined for any other request.
 */
export function queryApiRefusal(request: Request, fetchAPI: { Response: typeof Response }, error: AwsError): Response | undefined {
  if (!isQueryApiRequest(request.method, new URL(request.url), request.headers)) return undefined;
  const requestId = requestIdOf(request);
  return xmlResponse(fetchAPI, errorXml(undefined, error, requestId), error.status, requestId);
}

const malformed = () => new AwsError("MalformedQueryString", "The query string contains a syntax error.");

/** The body as UTF-8, refused when it is not (URLSearchParams would quietly substitute U+FFFD). */
function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw malformed();
  }
}

/** Refuses a broken percent-escape (`%zz`, a cut UTF-8 sequence) that URLSearchParams would keep as text. */
function wellFormedQuery(text: string): string {
  for (const pair of text.split("&")) {
    try {
      decodeURIComponent(pair.replace(/\+/g, " "));
    } catch {
      throw malformed();
    }
  }
  return text;
}

/** POST / with a form body, or GET / carrying an Action: nothing else is the Query API's. */
export function isQueryApiRequest(method: string, url: URL, headers: Headers): boolean {
  if (url.pathname !== "/") return false;
  if (method === "GET") return url.searchParams.has("Action");
  return method === "POST" && (headers.get("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

/**
 * SigV4, except for the actions AWS takes unsigned (AssumeRoleWithWebIdentity: the token is the
 * credential): an unsigned request for one of them is the anonymous caller, which may call that
 * action and nothing else (src/auth/caller.ts, AnonymousCaller). Signed, they are verified as usual.
 */
async function authenticate(authenticator: Authenticator, request: Request, url: URL, body: Uint8Array, sourceIp: string | undefined, unsignedAllowed: boolean) {
  if (!isSigV4({ url, headers: request.headers })) {
    if (unsignedAllowed && !request.headers.get("authorization")) {
      const anonymous = await authenticator.authenticate("Anonymous", sourceIp);
      if (!(anonymous instanceof AuthenticationFailure)) return anonymous;
    }
    if (request.headers.get("authorization")) throw new AwsError("IncompleteSignature", "The Query API accepts only AWS Signature Version 4 (the Authorization header AWS4-HMAC-SHA256 … or a presigned URL); use HTTP Basic on /graphql.");
    throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const result = await authenticator.authenticateSigned(await signableRequest(request, body), sourceIp);
  if (result instanceof AuthenticationFailure) throw new AwsError(result.code === "Throttling" ? "Throttling" : result.code, result.message);
  return result;
}

const documents = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();

/** Parsed and validated once per schema: the documents are the adapter's own, so an invalid one is a bug. */
function documentFor(schema: GraphQLSchema, source: string): DocumentNode {
  let bySource = documents.get(schema);
  if (!bySource) documents.set(schema, (bySource = new Map()));
  let document = bySource.get(source);
  if (!document) {
    document = parse(source);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`aws action document does not validate: ${errors.map((e) => e.message).join("; ")}\n${source}`);
    bySource.set(source, document);
  }
  return document;
}

async function run(yoga: YogaServerInstance<any, any>, action: AwsAction, input: Record<string, unknown>, caller: any, origin: any, request: Request, serverContext: object) {
  const enveloped = yoga.getEnveloped({ ...serverContext, request, authenticated: { caller, origin } });
  const document = documentFor(enveloped.schema, action.document);
  const variables = Object.fromEntries(Object.entries(action.variables ? action.variables(input, caller) : {}).filter(([, v]) => v !== undefined));
  const contextValue = await enveloped.contextFactory();
  const result = (await enveloped.execute({ schema: enveloped.schema, document, variableValues: variables, contextValue })) as { data?: any; errors?: readonly any[] };
  const error = result.errors?.[0];
  if (error) {
    const code = error.extensions?.code as string | undefined;
    if (code && ((errorCodes as readonly string[]).includes(code) || code === "Throttling")) throw new AwsError(code, error.message);
    if (code === "ConsistencyTimeout") throw new AwsError("ServiceUnavailable", error.message);
    // Masked already by the envelope (logged there with the request id).
    throw new AwsError("InternalFailure", error.message);
  }
  return result.data;
}

function asAwsError(err: unknown, logger: Logger, requestId: string): AwsError {
  if (err instanceof AwsError) return err;
  logger.error({ err, requestId }, "aws query api failed");
  return new AwsError("InternalFailure", `We encountered an internal error. Please try again. (request ${requestId})`);
}

import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import type { CommandPipeline } from "../app/command-pipeline.js";
import type { ProjectionOperations } from "../app/projection-operations.js";
import type { Authorizer } from "../authz/authorizer.js";
import type { WhoCan } from "../authz/who-can.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { CredentialStore } from "../auth/credential-store.js";
import type { StsService } from "../sts/sts-service.js";
import type { EntityFactsCache } from "./authorization/entity-facts-cache.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { LiveHub } from "../messaging/live-hub.js";
import { authenticationPlugin, unauthenticatedForBenchmarks } from "./authentication.js";
import { guardSchema } from "./authorization/guard.js";
import { createLoaders, type Context } from "./context.js";
import type { HardeningConfig } from "./hardening/config.js";
import { hardeningPlugins } from "./hardening/index.js";
import { internalFailure, internalFailureMessage, isGraphQLOwnError, maskHookFailures, withoutInternals, yogaErrorLog } from "./hardening/masking.js";
import { requestIdOf } from "./hardening/request-id.js";
import { rejectNulCharacters } from "./reject-nul.js";
import { renderLocalGraphiQL } from "./console/graphiql-page.js";
import { consoleAssets } from "./console/static-assets.js";
import { sharedSubscriptionResults } from "./shared-subscription-results.js";
import { schema } from "./schema.js";
import { AwsError } from "../aws/aws-error.js";
import { awsQueryPlugin, queryApiRefusal } from "../aws/query-api.js";

export interface YogaDeps {
  readonly prisma: PrismaClient;
  readonly commands: CommandPipeline;
  readonly authorizer: Authorizer;
  readonly whoCan: WhoCan;
  readonly authenticator: Authenticator;
  readonly credentials: CredentialStore;
  /** STS role sessions (src/sts/); absent where no sessions are issued. */
  readonly sts?: StsService;
  /** Shared across requests; the runtime invalidates it with every committed batch. */
  readonly entityFacts?: EntityFactsCache;
  readonly accountId: string;
  readonly logger: Logger;
  readonly production: boolean;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Query limits and rate limit (Config.hardening); defaults when absent. */
  readonly hardening?: HardeningConfig;
  /** The rate limiter's clock (ms); Date.now unless a test steps time itself. */
  readonly rateLimitClock?: () => number;
  /** Live subscriptions; without it subscription fields answer with an error. */
  readonly live?: LiveHub;
  /** Operator operations (projection status, rebuilds) on this server's store. */
  readonly operations?: ProjectionOperations;
  /** More plugins (read-your-writes, src/api/consistency.ts). */
  readonly plugins?: readonly Plugin[];
  /**
   * "enforced" (always, outside benchmarks): every request is authenticated and every field is
   * checked against the caller's own policies. "disabled" (no authentication, everyone is root)
   * exists only so bench/ can measure what that costs; no configuration reaches it.
   */
  readonly authorization?: "enforced" | "disabled";
}

export type IamgraphYoga = YogaServerInstance<Record<string, unknown>, Context>;

/** Builds the GraphQL server; served by src/cli/serve.ts, called in-process by tests via yoga.fetch. */
export function createIamgraphYoga(deps: YogaDeps): IamgraphYoga {
  const { logger } = deps;
  const authentication = deps.authorization === "disabled" ? unauthenticatedForBenchmarks(deps.accountId) : authenticationPlugin(deps.authenticator);
  const yoga: IamgraphYoga = createYoga<Record<string, unknown>, Context>({
    schema: deps.authorization === "disabled" ? schema : guardSchema(schema),
    graphqlEndpoint: "/graphql",
    graphiql: deps.production ? false : { title: "iamgraph", defaultQuery: defaultQuery },
    renderGraphiQL: renderLocalGraphiQL,
    landingPage: false,
    // bodyLimit (below) enforces the limit; Yoga's own would pipe every body through a counting
    // TransformStream even when Content-Length already says its size — about a tenth of an
    // `authorize` request's CPU (issue 17, bench/profile-authorize.ts).
    maxRequestBodySize: false,
    logging: {
      debug: (...args) => logger.debug({ args }, "yoga"),
      info: (...args) => logger.info({ args }, "yoga"),
      warn: (...args) => logger.warn({ args }, "yoga"),
      error: yogaErrorLog(logger),
    },
    context: (initialContext) => {
      const { request } = initialContext;
      const requestId = requestIdOf(request);
      const { caller, origin } = authentication.authenticatedOf(initialContext);
      return {
        caller,
        origin,
        credentials: deps.credentials,
        ...(deps.entityFacts ? { entityFacts: deps.entityFacts } : {}),
        prisma: deps.prisma,
        commands: deps.commands,
        authorizer: deps.authorizer,
        whoCan: deps.whoCan,
        accountId: deps.accountId,
        actor: caller.arn,
        requestId,
        loaders: createLoaders(deps.prisma, deps.accountId, deps.authorizer, deps.credentials),
        ...(deps.live ? { live: deps.live } : {}),
        ...(deps.operations ? { operations: deps.operations } : {}),
        ...(deps.sts ? { sts: deps.sts } : {}),
      } satisfies Context;
    },
    maskedErrors: {
      errorMessage: internalFailureMessage,
      // Domain refusals reach the client with their AWS code; anything else is logged and masked.
      maskError(error) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DomainError) {
          return new GraphQLError(original.message, { extensions: { code: original.code } });
        }
        if (isGraphQLOwnError(error)) return withoutInternals(error);
        return internalFailure(logger, original, error);
      },
    },
    plugins: maskHookFailures([
      bodyLimit(deps.maxBodyBytes ?? 1_000_000),
      ...hardeningPlugins({
        production: deps.production,
        ...(deps.hardening ? { limits: deps.hardening } : {}),
        ...(deps.rateLimitClock ? { now: deps.rateLimitClock } : {}),
      }),
      // The AWS Query API at `/` (src/aws/): verifies its own SigV4 signature, then runs each action through this envelope.
      awsQueryPlugin({ authenticator: deps.authenticator, logger, yoga: () => yoga }),
      // The console's files and GraphiQL's scripts carry no data: served before authentication.
      consoleAssets({ graphiql: !deps.production }),
      authentication.plugin,
      rejectNulCharacters(),
      sharedSubscriptionResults(),
      ...(deps.plugins ?? []),
    ], logger),
  });
  return yoga;
}

/**
 * Refuses bodies over the limit (HTTP 413): by Content-Length before anything is read, and for
 * chunked bodies (no Content-Length) by counting while reading, so the limit cannot be bypassed.
 */
function bodyLimit(maxBytes: number): Plugin {
  return {
    // Synchronous when the length is declared (every ordinary client): no promise per request.
    onRequest({ request, setRequest, endResponse, fetchAPI }) {
      const declared = request.headers.get("content-length");
      if (declared !== null) {
        // One non-negative integer, nothing else ("1, 2" is a request-smuggling attempt); Node's
        // parser refuses such a header on a socket, this holds it for yoga.fetch callers too.
        if (!/^\d+$/.test(declared)) {
          endResponse(invalidLength(fetchAPI));
          return;
        }
        const length = Number(declared);
        if (length > maxBytes) endResponse(tooLarge(request, fetchAPI, `Request body of ${length} bytes exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      if (!request.body) return;
      return countChunked(request, maxBytes, setRequest, endResponse, fetchAPI);
    },
  };
}

/** 413: AWS's XML RequestEntityTooLarge for a Query API request, GraphQL's JSON for anything else. */
const tooLarge = (request: Request, fetchAPI: { Response: typeof Response }, message: string) =>
  queryApiRefusal(request, fetchAPI, new AwsError("RequestEntityTooLarge", message)) ??
  new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: "InvalidInput" } }] }), {
    status: 413,
    headers: { "content-type": "application/json" },
  });

const invalidLength = (fetchAPI: { Response: typeof Response }) =>
  new fetchAPI.Response(JSON.stringify({ errors: [{ message: "Content-Length header is invalid.", extensions: { code: "InvalidInput" } }] }), {
    status: 400,
    headers: { "content-type": "application/json" },
  });

/** A chunked body (no Content-Length), counted while it is read and handed on as one buffer. */
async function countChunked(
  request: Request,
  maxBytes: number,
  setRequest: (request: Request) => void,
  endResponse: (response: Response) => void,
  fetchAPI: { Request: typeof Request; Response: typeof Response },
): Promise<void> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      endResponse(tooLarge(request, fetchAPI, `Request body exceeds the limit of ${maxBytes} bytes`));
      return;
    }
    chunks.push(value);
  }
  setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks) }));
}

const defaultQuery = `# iamgraph: AWS-IAM-compatible IAM on an event log.
# Try: create a group, a user, add the user to the group, list the members.
mutation CreateAdmins {
  createGroup(groupName: "Admins") {
    __typename
    ... on GroupPayload { position group { arn groupId } }
    ... on IamError { code message }
  }
}

query Users {
  users(first: 20) { edges { node { userName arn groups { groupName } tags { key value } } } }
}
`;

import DataLoader from "dataloader";
import type { CommandPipeline } from "../app/command-pipeline.js";
import type { ProjectionOperations } from "../app/projection-operations.js";
import type { Authorizer, AuthorizeRequest } from "../authz/authorizer.js";
import type { WhoCan } from "../authz/who-can.js";
import type { Caller, RequestOrigin } from "../auth/caller.js";
import type { CredentialStore } from "../auth/credential-store.js";
import type { StsService } from "../sts/sts-service.js";
import type { EntityFactsCache } from "./authorization/entity-facts-cache.js";
import type { EvaluationResult } from "../policy/evaluate.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { User, Group } from "../generated/prisma/client.js";
import { nameKey } from "../domain/shared/names.js";
import type { LiveHub } from "../messaging/live-hub.js";
import { createPolicyLoaders, type PolicyLoaders } from "./policy-loaders.js";

/** Everything a resolver may use, built fresh for each request. */
export interface Context {
  readonly prisma: PrismaClient;
  readonly commands: CommandPipeline;
  readonly authorizer: Authorizer;
  readonly whoCan: WhoCan;
  readonly accountId: string;
  /** Who is asking, authenticated before execution (src/api/authentication.ts). */
  readonly caller: Caller;
  readonly origin: RequestOrigin;
  /** The caller's ARN: what events record as their actor. */
  readonly actor: string;
  /** What self-authorization knows about entities across requests (src/api/authorization/entity-facts-cache.ts). */
  readonly entityFacts?: EntityFactsCache;
  /** Secret hashes and last use of access keys (never exposed through the schema). */
  readonly credentials: CredentialStore;
  readonly requestId: string;
  readonly loaders: Loaders;
  /** Live subscriptions (src/messaging/live-hub.ts); absent where no hub runs. */
  readonly live?: LiveHub;
  /** Operator operations run in this server (projection status and rebuilds); absent in tests that need none. */
  readonly operations?: ProjectionOperations;
  /** STS role sessions (src/sts/sts-service.ts); absent in tests that need none. */
  readonly sts?: StsService;
  /** Set by the WebSocket transport: closes the client's socket (a subscription buffer overflowed). */
  readonly closeTransport?: (code: number, reason: string) => void;
}

export interface Loaders {
  readonly userByName: DataLoader<string, User | null>;
  readonly groupByName: DataLoader<string, Group | null>;
  /** Every `authorize` field of one request is answered in one batch. */
  readonly authorize: DataLoader<AuthorizeRequest, EvaluationResult>;
  /** Policy counts, attachments, inline and effective policies (policy-loaders.ts). */
  readonly policies: PolicyLoaders;
  /** Whether an access key has a stored secret (CredentialStore.withSecret), one query per page. */
  readonly keyHasSecret: DataLoader<string, boolean>;
  /** Whether an access key's secret is sealed for SigV4 (CredentialStore.withSealedSecret). */
  readonly keyCanSign: DataLoader<string, boolean>;
}

/**
 * Per-request loaders: one query per batch, cached only for the request's lifetime. Each is made
 * on first use: most requests touch one or two, and making all eleven cost every `authorize`
 * request more than its decision (issue 17).
 */
export function createLoaders(prisma: PrismaClient, accountId: string, authorizer: Authorizer, credentials: CredentialStore): Loaders {
  return new RequestLoaders(prisma, accountId, authorizer, credentials);
}

class RequestLoaders implements Loaders {
  #keyHasSecret?: Loaders["keyHasSecret"];
  #keyCanSign?: Loaders["keyCanSign"];
  #authorize?: Loaders["authorize"];
  #policies?: PolicyLoaders;
  #userByName?: Loaders["userByName"];
  #groupByName?: Loaders["groupByName"];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly accountId: string,
    private readonly authorizer: Authorizer,
    private readonly credentials: CredentialStore,
  ) {}

  get keyHasSecret(): Loaders["keyHasSecret"] {
    return (this.#keyHasSecret ??= new DataLoader(async (ids) => {
      const stored = await this.credentials.withSecret(ids);
      return ids.map((id) => stored.has(id));
    }));
  }

  get keyCanSign(): Loaders["keyCanSign"] {
    return (this.#keyCanSign ??= new DataLoader(async (ids) => {
      const sealed = await this.credentials.withSealedSecret(ids);
      return ids.map((id) => sealed.has(id));
    }));
  }

  get authorize(): Loaders["authorize"] {
    return (this.#authorize ??= new DataLoader<AuthorizeRequest, EvaluationResult>((requests) => this.authorizer.authorizeMany(requests), { cache: false }));
  }

  get policies(): PolicyLoaders {
    return (this.#policies ??= createPolicyLoaders(this.prisma));
  }

  get userByName(): Loaders["userByName"] {
    return (this.#userByName ??= new DataLoader(async (names) => {
      const keys = names.map(nameKey);
      const rows = await this.prisma.user.findMany({ where: { accountId: this.accountId, userNameKey: { in: keys } } });
      const byKey = new Map(rows.map((r) => [r.userNameKey, r]));
      return keys.map((k) => byKey.get(k) ?? null);
    }));
  }

  get groupByName(): Loaders["groupByName"] {
    return (this.#groupByName ??= new DataLoader(async (names) => {
      const keys = names.map(nameKey);
      const rows = await this.prisma.group.findMany({ where: { accountId: this.accountId, groupNameKey: { in: keys } } });
      const byKey = new Map(rows.map((r) => [r.groupNameKey, r]));
      return keys.map((k) => byKey.get(k) ?? null);
    }));
  }
}

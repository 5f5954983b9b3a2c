import { basicAuthorization } from "../auth/authorization-header.js";
import { OperatorError } from "./operator-store.js";

/**
 * GraphQL requests from an operator command to a running server, signed with the operator's
 * key: IAMGRAPH_ROOT_ACCESS_KEY_ID / IAMGRAPH_ROOT_SECRET_ACCESS_KEY, else AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (an IAM user allowed the iamgraph:* operator actions).
 */
export class ServerClient {
  readonly #authorization: string;

  constructor(
    readonly url: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const id = env.IAMGRAPH_ROOT_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
    const secret = env.IAMGRAPH_ROOT_ACCESS_KEY_ID ? env.IAMGRAPH_ROOT_SECRET_ACCESS_KEY : env.AWS_SECRET_ACCESS_KEY;
    if (!id || !secret) {
      throw new OperatorError(
        `the store is held by the iamgraph server at ${url}; this command goes through it and needs credentials: set IAMGRAPH_ROOT_ACCESS_KEY_ID and IAMGRAPH_ROOT_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
      );
    }
    this.#authorization = basicAuthorization(id, secret);
  }

  /** Runs one operation; a GraphQL error or an IamError result becomes an OperatorError. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: this.#authorization },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new OperatorError(`the iamgraph server at ${this.url} does not answer (${(err as Error).cause ?? (err as Error).message})`);
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    const error = body.errors?.[0];
    if (error) throw new OperatorError(`${error.extensions?.code ?? "Error"}: ${error.message}`);
    if (!body.data) throw new OperatorError(`the iamgraph server at ${this.url} answered HTTP ${response.status} without data`);
    return body.data;
  }
}

import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { embedded, postgres, postgresUrl, type Backend } from "../support/databases.js";
import { startLiveServer, type LiveServer } from "../support/live-server.js";
import { testRootKey } from "../support/root-key.js";

/** The AWS suites run on PostgreSQL when it is there (CI), else on the embedded store. */
export const awsBackend: Backend = postgresUrl ? postgres : embedded;

/** An access key, or temporary credentials (with their session token) from STS. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsServer {
  readonly live: LiveServer;
  /** http://127.0.0.1:<port> — what `--endpoint-url` is given. */
  readonly endpoint: string;
  iam(credentials?: Credentials): IAMClient;
  sts(credentials?: Credentials): STSClient;
  close(): Promise<void>;
}

/** A real server on an ephemeral port, and real AWS SDK clients pointed at it (the root key unless told otherwise). */
export async function startAwsServer(options: Parameters<typeof startLiveServer>[1] = {}): Promise<AwsServer> {
  const live = await startLiveServer(awsBackend, options);
  const endpoint = live.url.replace(/\/graphql$/, "");
  const config = (credentials: Credentials = testRootKey) => ({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
    maxAttempts: 1,
  });
  const clients: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(c: T) => (clients.push(c), c);
  return {
    live,
    endpoint,
    iam: (credentials) => keep(new IAMClient(config(credentials))),
    sts: (credentials) => keep(new STSClient(config(credentials))),
    async close() {
      for (const c of clients) c.destroy();
      await live.close();
    },
  };
}

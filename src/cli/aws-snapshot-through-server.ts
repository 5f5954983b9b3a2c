import path from "node:path";
import type { ImportReport } from "../snapshot/import-snapshot.js";
import type { ImportArgs } from "./aws-snapshot.js";
import { OperatorError } from "./operator-store.js";
import { ServerClient } from "./server-client.js";

// `import aws` / `export aws` against the server that holds an embedded store: the same operation
// over its API (importAccountSnapshot, accountSnapshot in src/api/types/account-snapshot.ts).

type Report = Parameters<typeof import("./aws-snapshot.js").printReport>[0];

export async function importThroughServer(url: string, text: string, args: ImportArgs): Promise<Report> {
  const client = new ServerClient(url);
  process.stderr.write(`the store is held by the iamgraph server at ${url}: importing through it\n`);
  const { importAccountSnapshot: r } = await client.request<{ importAccountSnapshot: any }>(
    `mutation($s: String!, $source: String, $asOf: DateTime, $dry: Boolean, $unknown: UnknownAwsManagedPolicies, $overQuota: OverQuotaMode) {
      importAccountSnapshot(snapshot: $s, source: $source, asOf: $asOf, dryRun: $dry, unknownAwsManagedPolicies: $unknown, overQuota: $overQuota) {
        __typename
        ... on AccountSnapshotImport { applied asOf actor correlationId position commands eventCounts { type count } entitiesTouched
          unknownAwsManagedPolicies { arn path } overQuota { path quota awsDefault found raisable } preview { flips { principalArn action before after } } }
        ... on IamError { code message }
      }
    }`,
    { s: text, source: path.basename(args.file), asOf: args.asOf.toISOString(), dry: args.dryRun, unknown: args.unknownAwsPolicies, overQuota: args.overQuota },
  );
  if (r.__typename === "IamError") throw new OperatorError(`${r.code}: ${r.message}`);
  const eventCounts: ImportReport["eventCounts"] = Object.fromEntries(r.eventCounts.map((c: { type: string; count: number }) => [c.type, c.count]));
  return { ...r, position: Number(r.position), eventCounts, unknownAwsPolicies: r.unknownAwsManagedPolicies, ...(r.preview ? { preview: r.preview } : {}) };
}

export async function exportThroughServer(url: string, asOf: Date | undefined): Promise<unknown> {
  const client = new ServerClient(url);
  process.stderr.write(`the store is held by the iamgraph server at ${url}: exporting through it\n`);
  const { accountSnapshot } = await client.request<{ accountSnapshot: unknown }>(`query($asOf: AsOfInput) { accountSnapshot(asOf: $asOf) }`, {
    asOf: asOf ? { timestamp: asOf.toISOString() } : null,
  });
  return accountSnapshot;
}

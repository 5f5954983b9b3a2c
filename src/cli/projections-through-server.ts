import type { ProjectionStatus, RebuildProgress } from "../projections/rebuild.js";
import { OperatorError } from "./operator-store.js";
import { formatStatus, progressLine } from "./projections.js";
import { ServerClient } from "./server-client.js";

// `projections status | rebuild` against the server that holds an embedded store, over its
// operator API (src/api/types/operations.ts): same output as when the command opens the store.

const runFields = `projections startedAt finishedAt error events position progress { phase done total }`;

interface RunJson {
  projections: string[];
  finishedAt: string | null;
  error: string | null;
  events: number | null;
  position: number | null;
  progress: RebuildProgress | null;
  startedAt: string;
}

export async function projectionsThroughServer(url: string, sub: "status" | "rebuild", names: readonly string[], pollMs = 250): Promise<void> {
  const client = new ServerClient(url);
  process.stderr.write(`the store is held by the iamgraph server at ${url}: asking it\n`);
  if (sub === "status") {
    process.stdout.write(formatStatus(await status(client)));
    return;
  }
  const started = await client.request<{ rebuildProjections: RunJson | { __typename: "IamError"; code: string; message: string } }>(
    `mutation($p: [String!]) { rebuildProjections(projections: $p) { __typename ... on RebuildRun { ${runFields} } ... on IamError { code message } } }`,
    { p: names },
  );
  const answer = started.rebuildProjections as RunJson & { __typename: string; code?: string; message?: string };
  if (answer.__typename === "IamError") throw new OperatorError(`${answer.code}: ${answer.message}`, answer.code === "InvalidInput" ? 2 : 1);
  const show = progressLine(process.stderr);
  const t0 = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const { projectionStatus } = await client.request<{ projectionStatus: { rebuild: RunJson | null } }>(`{ projectionStatus { rebuild { ${runFields} } } }`);
    const run = projectionStatus.rebuild;
    if (!run || run.startedAt !== answer.startedAt) throw new OperatorError(`the server at ${url} no longer reports the rebuild it started (did it restart?)`);
    if (run.progress) show(run.progress);
    if (!run.finishedAt) continue;
    if (run.error) throw new OperatorError(`the rebuild failed on the server: ${run.error}`);
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(`rebuilt ${run.projections.join(", ")} from ${run.events} events (through position ${run.position}) in ${seconds.toFixed(1)}s on the server\n`);
    return;
  }
}

async function status(client: ServerClient): Promise<ProjectionStatus[]> {
  const { projectionStatus } = await client.request<{ projectionStatus: { projections: any[] } }>(
    `{ projectionStatus { projections { name version checkpoint head lag rebuiltAt staged { running phase done total pid stagingSchema updatedAt } } } }`,
  );
  return projectionStatus.projections.map((p) => ({
    name: p.name,
    version: p.version,
    checkpoint: Number(p.checkpoint),
    head: Number(p.head),
    lag: p.lag,
    updatedAt: null,
    rebuiltAt: p.rebuiltAt ? new Date(p.rebuiltAt) : null,
    rebuild: p.staged ? { ...p.staged, startedAt: new Date(p.staged.updatedAt), updatedAt: new Date(p.staged.updatedAt) } : undefined,
  }));
}

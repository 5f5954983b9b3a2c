/**
 * Mutation → notification latency of `permissionsChanged`: 1,000 principals, a group holding 500
 * of them, 1,000 or 10,000 graphql-ws subscriptions spread evenly over the 1,000 principals; each
 * round attaches (then detaches) a managed policy to the group and times every notification from
 * the moment the mutation is sent until the client's `next` fires. The clients run on a worker
 * thread (bench/notify-clients.worker.mjs), as clients elsewhere would; the machine's two cores
 * are still shared between server and clients.
 *
 * Memory per idle subscription: the server's heap growth (after GC) while N subscriptions sit
 * idle, per subscription — for the server stack (graphql-ws + GraphQL execution + hub) and for
 * the hub alone (its LiveStream and index entries, without a transport).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { WebSocketServer, type WebSocket } from "ws";
import pino from "pino";
import { serveGraphqlWs } from "../src/api/ws-server.js";
import { loadConfig, type Config } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, benchRootAuthorization, percentile, reports, withDatabase, type Bench, type Row } from "./support.js";

const name = "notify";
const principals = 1000;
const members = 500;
const sockets = 50;
const policyArn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const subscription = `subscription ($arn: String!) { permissionsChanged(principalArn: $arn) { position entered { policyName } left { policyName } } }`;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
function heap(): number {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size;
}

const bench: Bench = {
  name,
  description: `permissionsChanged latency, ${principals} principals, a ${members}-member group gets/loses a policy; memory per idle subscription`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    const rounds = Math.max(2, Math.round(10 * scale));
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const config: Config = loadConfig({
          NODE_ENV: "production",
          LOG_LEVEL: "silent",
          IAMGRAPH_ACCOUNT_ID: "123456789012",
          // benchEnv lifts the per-key burst too: one key opens all 10,000 subscriptions at once.
          ...benchEnv,
        });
        const app = await startIamgraph(config, { db, migrate: false, logger: pino({ level: "silent" }), subscriptionBufferLimit: 10_000 });
        const server = createServer(app.yoga);
        const ws = serveGraphqlWs(server, app.yoga, app.authenticator);
        // The same app served with every subscription on its own: the comparison for sharing.
        const unsharedServer = createServer(app.yoga);
        const unsharedWs = serveGraphqlWs(unsharedServer, app.yoga, app.authenticator, { shareIdentical: false });
        await new Promise<void>((resolve) => unsharedServer.listen(0, "127.0.0.1", resolve));
        const unsharedUrl = `ws://127.0.0.1:${(unsharedServer.address() as AddressInfo).port}/graphql`;
        // Open subscriptions as clients see them: a graphql-ws group of identical ones holds one hub stream.
        const open = () => app.live.stats().subscribers - ws.groups.stats().groups + ws.groups.stats().members;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
        try {
          process.stderr.write(`  … ${backend}: ${principals} users, a group of ${members}\n`);
          const request = { actor: "bench" };
          await app.commands.handle({ type: "CreateGroup", groupName: "notify-group", path: "/" }, request);
          const arns: string[] = [];
          for (let i = 0; i < principals; i++) {
            const r = await app.commands.handle({ type: "CreateUser", userName: `notify-${i}`, path: "/", tags: [] }, request);
            arns.push((r.events[0]!.data as { arn: string }).arn);
            if (i < members) await app.commands.handle({ type: "AddUserToGroup", userName: `notify-${i}`, groupName: "notify-group" }, request);
          }

          let attached = false;
          // Hub alone: streams with no transport.
          const hubBefore = heap();
          const streams = await Promise.all(Array.from({ length: 10_000 }, (_, i) => app.live.permissionsChanged(arns[i % principals]!)));
          const hubBytes = (heap() - hubBefore) / streams.length;
          await Promise.all(streams.map((s) => s.return()));
          process.stderr.write(`  ✓ hub alone: ${hubBytes.toFixed(0)} B per idle subscription\n`);

          const cases = [
            { subscribers: 1000, shared: true },
            { subscribers: 10_000, shared: true },
            { subscribers: 10_000, shared: false },
          ];
          for (const { subscribers, shared } of cases) {
            const label = shared ? `${subscribers}` : `${subscribers}, each subscription on its own`;
            const clients = new Worker(new URL("./notify-clients.worker.mjs", import.meta.url));
            const reply = (type: string) =>
              new Promise<any>((resolve, reject) => {
                const onMessage = (m: { type: string; error?: string }) => {
                  if (m.type === "error") return reject(new Error(`subscription error ${m.error}`));
                  if (m.type !== type) return;
                  clients.off("message", onMessage);
                  resolve(m);
                };
                clients.on("message", onMessage);
              });
            const before = heap();
            const subscribersBefore = open();
            const opened = reply("opened");
            clients.postMessage({ type: "open", url: shared ? url : unsharedUrl, sockets, subscribers, arns, query: subscription, authorization: benchRootAuthorization });
            await opened;
            let failure: string | undefined;
            clients.on("message", (m: { type: string; error?: string }) => void (m.type === "error" && (failure ??= m.error)));
            while (open() < subscribersBefore + subscribers) {
              if (failure) throw new Error(`a subscription failed to open: ${failure}`);
              await new Promise((r) => setTimeout(r, 20));
            }
            const perSubscription = (heap() - before) / subscribers;
            process.stderr.write(`  ✓ ${backend} ${label} subscriptions open: ${perSubscription.toFixed(0)} B each (server: graphql-ws + execution + hub)\n`);

            // Members are principals 0..499; each principal has subscribers/1000 subscriptions.
            const expected = members * (subscribers / principals);
            const all: number[] = [];
            let commandMs = 0;
            const fanOut: number[] = [];
            const hubAt: number[] = [];
            // Round -1 warms the path (JIT, caches) and is not recorded.
            for (let round = -1; round < rounds; round++) {
              const armed = reply("armed");
              clients.postMessage({ type: "expect", count: expected });
              await armed;
              const done = reply("round");
              // An in-process subscriber of a member: when the hub hands the change out (commit + fold).
              const probe = await app.live.permissionsChanged(arns[members - 1]!);
              const probed = probe.next().then(() => performance.timeOrigin + performance.now());
              const t0 = performance.timeOrigin + performance.now();
              const type = attached ? "DetachPolicy" : "AttachPolicy";
              attached = !attached;
              await app.commands.handle({ type, entityType: "group", entityName: "notify-group", policyArn }, request);
              const commandDone = performance.timeOrigin + performance.now() - t0;
              const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`round ${round}: not all ${expected} notifications within 30 s`)), 30_000).unref());
              const { times } = (await Promise.race([done, timeout])) as { times: number[] };
              const handedOut = await probed;
              await probe.return();
              if (round < 0) continue;
              commandMs += commandDone;
              hubAt.push(handedOut - t0);
              all.push(...times.map((t) => t - t0));
              fanOut.push(...times.map((t) => t - handedOut));
            }
            const seconds = all.length ? Math.max(...all) / 1000 : 0;
            rows.push({
              bench: name,
              backend,
              case: `${subscribers} subscribers${shared ? "" : " (unshared)"}, ${expected} notified per change`,
              ops: all.length,
              seconds,
              rate: all.length / Math.max(seconds * rounds, 1e-9),
              p50Ms: percentile(all, 0.5),
              p99Ms: percentile(all, 0.99),
              note: `mutation alone ${(commandMs / rounds).toFixed(1)} ms, hub hands out at p50 ${percentile(hubAt, 0.5).toFixed(1)} ms; after it p50 ${percentile(fanOut, 0.5).toFixed(1)} / p99 ${percentile(fanOut, 0.99).toFixed(1)} ms; ${perSubscription.toFixed(0)} B/idle subscription (server); hub alone ${hubBytes.toFixed(0)} B`,
            });
            process.stderr.write(
              `  ✓ ${backend} ${label}: p50 ${percentile(all, 0.5).toFixed(2)} ms, p99 ${percentile(all, 0.99).toFixed(2)} ms over ${all.length} notifications; hub hands out at p50 ${percentile(hubAt, 0.5).toFixed(1)} ms, clients get it p50 ${percentile(fanOut, 0.5).toFixed(1)} / p99 ${percentile(fanOut, 0.99).toFixed(1)} ms later\n`,
            );
            const closed = reply("closed");
            clients.postMessage({ type: "close" });
            await closed;
            await clients.terminate();
            while (open() > subscribersBefore) await new Promise((r) => setTimeout(r, 20));
          }
        } finally {
          await unsharedWs.close();
          unsharedServer.closeAllConnections();
          await new Promise<void>((resolve) => unsharedServer.close(() => resolve()));
          await ws.close();
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await app.close();
        }
      });
    }
    rows.push(await transportFloor(rounds));
    reports.push(
      `notify: latency is from sending the mutation (in-process command) to each client's \`next\`, after one unrecorded warm-up round; "hub hands out" is when an in-process subscriber of a member got the change (commit, projections, set diff), "after it" the rest (execution, frames, the clients' parsing); the rate column is notifications per second of the slowest round's spread.`,
    );
    return rows;
  },
};

/**
 * The floor for the fan-out part: a bare `ws` server speaking just enough of the graphql-ws
 * protocol to the same worker clients, sending one prebuilt frame per notified subscription
 * (10,000 subscriptions, 5,000 notified) — no database, no hub, no GraphQL execution. Timed from
 * the start of the send loop to each client's `next`: what sockets and the clients' parsing
 * alone cost on this machine, to hold "after the hub" against.
 */
async function transportFloor(rounds: number): Promise<Row> {
  const subscribers = 10_000;
  const arns = Array.from({ length: principals }, (_, i) => `arn:aws:iam::123456789012:user/notify-${i}`);
  const notified = new Set(arns.slice(0, members));
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: (p) => (p.has("graphql-transport-ws") ? "graphql-transport-ws" : false) });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const subs = new Map<string, { socket: WebSocket; id: string; arn: string }>();
  let next = 0;
  wss.on("connection", (socket) => {
    const tag = String(next++);
    socket.on("message", (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { variables?: { arn?: string } } };
      if (m.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
      else if (m.type === "subscribe") subs.set(`${tag}/${m.id}`, { socket, id: m.id!, arn: m.payload!.variables!.arn! });
      else if (m.type === "complete") subs.delete(`${tag}/${m.id}`);
    });
  });
  const clients = new Worker(new URL("./notify-clients.worker.mjs", import.meta.url));
  const reply = (type: string) => new Promise<any>((resolve) => clients.on("message", function on(m: { type: string }) {
    if (m.type !== type) return;
    clients.off("message", on);
    resolve(m);
  }));
  try {
    const opened = reply("opened");
    clients.postMessage({ type: "open", url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/graphql`, sockets, subscribers, arns, query: subscription, authorization: "" });
    await opened;
    while (subs.size < subscribers) await new Promise((r) => setTimeout(r, 20));
    const all: number[] = [];
    for (let round = -1; round < rounds; round++) {
      const armed = reply("armed");
      clients.postMessage({ type: "expect", count: members * (subscribers / principals) });
      await armed;
      const done = reply("round");
      const t0 = performance.timeOrigin + performance.now();
      const payload = JSON.stringify({ data: { permissionsChanged: { position: 1000 + round, entered: [{ policyName: "IAMReadOnlyAccess" }], left: [] } } });
      for (const s of subs.values()) if (notified.has(s.arn)) s.socket.send(`{"id":${JSON.stringify(s.id)},"type":"next","payload":${payload}}`);
      const { times } = (await done) as { times: number[] };
      if (round >= 0) all.push(...times.map((t) => t - t0));
    }
    process.stderr.write(`  ✓ floor (bare ws, prebuilt frames) ${subscribers}: p50 ${percentile(all, 0.5).toFixed(2)} ms, p99 ${percentile(all, 0.99).toFixed(2)} ms\n`);
    const seconds = Math.max(...all) / 1000;
    return {
      bench: name,
      backend: "none",
      case: `floor: bare ws, prebuilt frames, ${subscribers} subscribers, ${all.length / rounds} notified`,
      ops: all.length,
      seconds,
      rate: all.length / Math.max(seconds * rounds, 1e-9),
      p50Ms: percentile(all, 0.5),
      p99Ms: percentile(all, 0.99),
      note: "sockets and the clients' parsing only: compare with \"after it\" above",
    };
  } finally {
    const closed = reply("closed");
    clients.postMessage({ type: "close" });
    await closed;
    await clients.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

export default bench;

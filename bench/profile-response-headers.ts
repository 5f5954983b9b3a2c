/**
 * What iamgraph's response headers cost over HTTP, apart from everything else it does: not a
 * bench (no `.bench.ts`, `npm run bench` does not run it) but the measurement behind the HTTP hot
 * path section of bench/RESULTS.md (issue 17, item 3). Three bare graphql-yoga hello-worlds in
 * this process, the same fetch client (`post`) and 8 clients: without extra headers; with the
 * eight headers every iamgraph JSON answer carries (src/api/hardening/security-headers.ts and
 * the request id), set in `onResponse` as iamgraph does; and the same eight handed to Yoga as
 * the result's `extensions.http.headers`, which keeps @whatwg-node/server's single-`writeHead`
 * path. Prints the process's CPU time per request (server and clients), median of alternated rounds.
 *
 *   npx tsx bench/profile-response-headers.ts
 */
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { closeServer, post } from "./support.js";

const headers: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "cache-control": "no-store",
  "x-request-id": "0b8e6a4e-3f43-4a57-9a77-1f0b2c9a7f11",
};
const viaSet: Plugin = {
  onResponse({ response }) {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  },
};
const viaExtensions: Plugin = {
  onResultProcess({ result, setResult }) {
    const r = result as { extensions?: { http?: { headers?: Record<string, string> } } };
    setResult({ ...r, extensions: { ...r.extensions, http: { ...r.extensions?.http, headers: { ...r.extensions?.http?.headers, ...headers } } } } as never);
  },
};

async function listen(server: Server): Promise<string> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const hello = (plugins: Plugin[]) =>
  createServer(createYoga({ schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }), logging: false, plugins }));
const servers = { bare: hello([]), "8 headers via Headers.set": hello([viaSet]), "8 headers via extensions.http": hello([viaExtensions]) };
const urls = Object.fromEntries(await Promise.all(Object.entries(servers).map(async ([k, s]) => [k, await listen(s)] as const)));

async function cpuPerRequest(url: string, requests: number): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < requests) if (((await post(url, "query H { hello }", {})) as { hello: string }).hello !== "world") throw new Error("hello");
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
try {
  for (const url of Object.values(urls)) await cpuPerRequest(url, 2000);
  const runs = Object.fromEntries(Object.keys(urls).map((k) => [k, [] as number[]]));
  for (let round = 0; round < Number(process.env.ROUNDS ?? 9); round++) for (const [k, url] of Object.entries(urls)) runs[k]!.push(await cpuPerRequest(url, 3000));
  const bare = runs.bare!;
  process.stdout.write(`load ${fs.readFileSync("/proc/loadavg", "utf8").trim()}\n`);
  for (const [k, xs] of Object.entries(runs)) {
    const extra = k === "bare" ? "" : `; minus bare, per round: median ${median(xs.map((x, i) => x - bare[i]!)).toFixed(0)} µs`;
    process.stdout.write(`${k.padEnd(30)} ${median(xs).toFixed(0)} µs CPU/request${extra}\n`);
  }
} finally {
  for (const s of Object.values(servers)) await closeServer(s);
}

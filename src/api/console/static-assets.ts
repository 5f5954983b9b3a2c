import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fromPackageRoot } from "../../package-root.js";
import type { Plugin } from "graphql-yoga";
import { graphiqlAsset } from "./graphiql-page.js";

/** Where scripts/build-console.mjs writes the console (not committed; built by `npm install`). */
export const consoleDistDir = fromPackageRoot("dist", "console");

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

/**
 * Serves the web console at `GET /` and `/console/*`, and GraphiQL's own scripts at
 * `/graphql/graphiql/*`, all from this process (no CDN). It runs before authentication: these
 * files carry no data, and every call the console makes is authenticated as usual. `/` with an
 * `Action` parameter is the AWS Query protocol's, never the console's.
 */
export function consoleAssets(options: { graphiql: boolean; distDir?: string }): Plugin {
  const distDir = options.distDir ?? consoleDistDir;
  return {
    // Synchronous for what is not a GET or HEAD (every GraphQL POST): no promise per request.
    onRequest(payload) {
      if (payload.request.method !== "GET" && payload.request.method !== "HEAD") return;
      return serve(payload);
    },
  };
  async function serve({ request, url, endResponse, fetchAPI }: { request: Request; url: URL; endResponse: (response: Response) => void; fetchAPI: { Response: typeof Response } }): Promise<void> {
    const path = url.pathname;
    let body: string | Buffer | undefined;
    let type = "";
    if (path.startsWith("/graphql/graphiql/")) {
      if (!options.graphiql) return;
      const asset = await graphiqlAsset(path.slice("/graphql/graphiql/".length));
      if (!asset) return;
      [body, type] = [asset.body, asset.type];
    } else if ((path === "/" && !url.searchParams.has("Action")) || path === "/index.html") {
      [body, type] = [await readBuilt(distDir, "index.html"), types[".html"]!];
    } else if (path.startsWith("/console/")) {
      const file = path.slice("/console/".length);
      body = await readBuilt(distDir, file);
      type = types[extname(file)] ?? "application/octet-stream";
    } else return;
    if (body === undefined) {
      endResponse(new fetchAPI.Response("The console is not built: run `npm run generate`.\n", { status: path === "/" ? 503 : 404, headers: { "content-type": "text/plain; charset=utf-8" } }));
      return;
    }
    endResponse(new fetchAPI.Response(request.method === "HEAD" ? null : typeof body === "string" ? body : new Uint8Array(body), { status: 200, headers: { "content-type": type } }));
  }
}

/** A built file by relative name, refusing anything that would leave the folder. */
async function readBuilt(distDir: string, file: string): Promise<Buffer | undefined> {
  const full = normalize(join(distDir, file));
  if (!full.startsWith(normalize(distDir + sep)) || file.includes("\0")) return undefined;
  try {
    return await readFile(full);
  } catch {
    return undefined;
  }
}

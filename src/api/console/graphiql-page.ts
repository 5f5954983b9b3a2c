import type { GraphiQLOptions } from "graphql-yoga";

/**
 * GraphiQL from node_modules (@graphql-yoga/render-graphiql, the build Yoga itself renders):
 * its script, stylesheet and Monaco workers are served as files of our own origin, and the page
 * starts it from a file too, so the Content-Security-Policy needs no inline script and no CDN.
 */
type Bundle = typeof import("@graphql-yoga/render-graphiql/graphiql");
let bundle: Promise<Bundle> | undefined;
// 9 MB of JavaScript: loaded on the first GraphiQL request, not at every start.
const load = () => (bundle ??= import("@graphql-yoga/render-graphiql/graphiql"));

const workers = { editorWorkerService: "worker-editor.js", json: "worker-json.js", graphql: "worker-graphql.js" } as const;

const boot = `"use strict";
(function () {
  var base = "/graphql/graphiql/";
  var workers = ${JSON.stringify(workers)};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_id, label) { return base + (workers[label] || workers.editorWorkerService); } };
  var options = JSON.parse(document.getElementById("graphiql-options").textContent || "{}");
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), options);
})();
`;

export async function graphiqlAsset(name: string): Promise<{ body: string; type: string } | undefined> {
  const js = "text/javascript; charset=utf-8";
  if (name === "boot.js") return { body: boot, type: js };
  if (!/^[\w-]+\.(js|css)$/.test(name)) return undefined;
  const b = await load();
  switch (name) {
    case "graphiql.js": return { body: b.js, type: js };
    case "graphiql.css": return { body: b.css, type: "text/css; charset=utf-8" };
    case workers.editorWorkerService: return { body: b.editorWorkerService, type: js };
    case workers.json: return { body: b.jsonWorker, type: js };
    case workers.graphql: return { body: b.graphqlWorker, type: js };
    default: return undefined;
  }
}

/** Yoga's `renderGraphiQL`: a page whose every script and style is a file above. */
export function renderLocalGraphiQL(options?: GraphiQLOptions): string {
  // The options travel as JSON data (never executed), escaped so no value can close the element.
  const json = JSON.stringify(options ?? {}).replace(/</g, "\\u003c");
  const title = String(options?.title ?? "GraphiQL").replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="stylesheet" href="/graphql/graphiql/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${json}</script>
    <script src="/graphql/graphiql/graphiql.js"></script>
    <script src="/graphql/graphiql/boot.js"></script>
  </body>
</html>
`;
}

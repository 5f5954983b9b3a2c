import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { embedded } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";
import { buildConsole } from "../console/browser.js";

// The console's static hook (src/api/console/static-assets.ts): GET / and /console/* from
// dist/console, GraphiQL's scripts from node_modules, all before authentication and all under
// the security headers; `/` with an Action parameter is the AWS Query protocol's, not ours.
describe("console and GraphiQL assets", () => {
  let t: TestApp;
  const get = (path: string, init: RequestInit = {}) => Promise.resolve(t.app.yoga.fetch(`http://iamgraph.test${path}`, init));

  beforeAll(async () => {
    buildConsole();
    t = await startTestApp(embedded);
  });
  afterAll(async () => t?.close());

  test("GET / is the console page, unauthenticated, under a CSP of our own scripts and styles only", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(await page.text()).toContain('<script type="module" src="/console/app.js"></script>');
  });

  test("its script and stylesheet are served from this process", async () => {
    const js = await get("/console/app.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await get("/console/app.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  test("nothing outside dist/console is reachable", async () => {
    for (const path of ["/console/%2e%2e/%2e%2e/package.json", "/console/..%2f..%2fpackage.json", "/console/missing.js"]) {
      const response = await get(path);
      expect(response.status, path).not.toBe(200);
      expect(await response.text(), path).not.toContain('"name": "iamgraph"');
    }
  });

  test("/ with an Action parameter, or a POST to /, is not the console", async () => {
    for (const response of [await get("/?Action=ListUsers&Version=2010-05-08"), await get("/", { method: "POST", body: "Action=ListUsers" })]) {
      expect(await response.text()).not.toContain("iamgraph console");
    }
  });

  test("GraphiQL's page loads its scripts from /graphql/graphiql/, never a CDN", async () => {
    const page = await get("/graphql", { headers: { accept: "text/html" } });
    const html = await page.text();
    expect(html).toContain('<script src="/graphql/graphiql/graphiql.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const file of ["graphiql.js", "boot.js", "worker-graphql.js"]) {
      const asset = await get(`/graphql/graphiql/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get("content-type"), file).toBe("text/javascript; charset=utf-8");
    }
    expect((await get("/graphql/graphiql/graphiql.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await get("/graphql/graphiql/nothing.js")).status).not.toBe(200);
  });
});

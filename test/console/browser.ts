import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Debian's chromium (.ci/run installs it); playwright-core never downloads a browser. */
export const chromiumPath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => Boolean(p && existsSync(p)));

/** Where the screenshots go (gitignored): test-results/console/<name>-<width>.png. */
export const screenshotDir = `${root}test-results/console/`;

/**
 * Without chromium the browser suite is skipped, loudly; in CI (CI=true) it is mandatory and a
 * missing browser fails the run instead.
 */
export function browserAvailable(): boolean {
  if (chromiumPath) return true;
  if (process.env.CI === "true") throw new Error("chromium is not installed (apt-get install -y chromium); the console's browser tests are mandatory in CI");
  console.warn("\n!!! SKIPPING the console's browser tests: chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)\n");
  return false;
}

/** Builds the console from the sources under test (the same build `npm install` runs). */
export function buildConsole(): void {
  execFileSync(process.execPath, ["scripts/build-console.mjs"], { cwd: root, stdio: "pipe" });
}

export async function launch(): Promise<Browser> {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath!, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${screenshotDir}${name}-${page.viewportSize()?.width ?? 0}.png`, fullPage: true });
}

/** Signs in through the form, as a person would, and waits for the signed-in shell. */
export async function signIn(page: Page, base: string, key: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel("Access key ID").fill(key.accessKeyId);
  await page.getByLabel("Secret access key").fill(key.secretAccessKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Runs axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays as served). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: number }[]> {
  const source = (await import("node:fs")).readFileSync(`${root}node_modules/axe-core/axe.min.js`, "utf8");
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
}

/** Waits until the page's queries have answered (<html data-busy="false">, set by useQuery). */
export async function settled(page: Page): Promise<void> {
  await page.locator("main h1").waitFor();
  // Preact runs effects (where queries start) after the next frame: let two frames pass first.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() => document.documentElement.dataset.busy !== "true");
}

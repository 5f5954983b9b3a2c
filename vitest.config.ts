import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`) side by side without an `exports` map:
    // Node (and so Pothos and Yoga, loaded as dependencies) gets the CJS build while Vite would
    // hand our sources the .mjs one, and graphql refuses types "from another realm". Pin every
    // import to the one Node resolves, as it is in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});

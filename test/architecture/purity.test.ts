import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findImpurities, formatViolations, sourceFiles, type ReadSource } from "./purity.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pureDirs = ["events", "src/domain", "src/policy"].map((d) => path.join(root, d));

describe("the pure core stays pure", () => {
  it("events/, src/domain/ and src/policy/ reach no I/O, clock or randomness through any import", () => {
    const files = sourceFiles(pureDirs);
    expect(files.length).toBeGreaterThan(30); // the walk found the core (a wrong path would pass vacuously)
    const violations = findImpurities(files);
    expect(formatViolations(violations, root), "impure code in the pure core").toBe("");
  });

  // The check itself must be able to fail: a made-up core with one of each violation.
  describe("catches", () => {
    const fake = (files: Record<string, string>): ReadSource => (file) => files[path.relative("/core", file)];
    const check = (files: Record<string, string>) => findImpurities(["/core/root.ts"], fake(files)).map((v) => `${path.relative("/core", v.file)}:${v.line}: ${v.what}`);

    it("a forbidden import two relative hops away, naming the file, the line and the chain", () => {
      const files = { "root.ts": `import { a } from "./a.js";\nexport const r = a;`, "a.ts": `export { b as a } from "./deep/b.js";`, "deep/b.ts": `// b\nimport fs from "node:fs";\nexport const b = fs;` };
      const violations = findImpurities(["/core/root.ts"], fake(files));
      expect(violations).toEqual([{ file: "/core/deep/b.ts", line: 2, what: "imports the Node built-in node:fs (I/O, clocks or randomness)", via: ["/core/root.ts", "/core/a.ts"] }]);
      expect(formatViolations(violations, "/core")).toBe("deep/b.ts:2: imports the Node built-in node:fs (I/O, clocks or randomness)\n    reached from root.ts → a.ts");
    });

    it("I/O packages, type-only imports of them included, and anything not on the pure list", () => {
      expect(
        check({
          "root.ts": [
            `import type { PrismaClient } from "@prisma/client";`,
            `import { GraphQLError } from "graphql";`,
            `import { Kafka } from "kafkajs";`,
            `import pino from "pino";`,
            `import { z } from "zod";`,
            `import net from "net";`,
            `import { randomUUID } from "node:crypto";`,
            `import type { Tx } from "./generated/prisma/client.js";`,
            `const m = await import("node:child_process");`,
          ].join("\n"),
        }),
      ).toEqual([
        "root.ts:1: imports @prisma/client, which is not on the list of pure packages (test/architecture/purity.ts)",
        "root.ts:2: imports graphql, which is not on the list of pure packages (test/architecture/purity.ts)",
        "root.ts:3: imports kafkajs, which is not on the list of pure packages (test/architecture/purity.ts)",
        "root.ts:4: imports pino, which is not on the list of pure packages (test/architecture/purity.ts)",
        "root.ts:6: imports the Node built-in net (I/O, clocks or randomness)",
        "root.ts:7: imports the Node built-in node:crypto (I/O, clocks or randomness)",
        "root.ts:8: imports generated code (./generated/prisma/client.js): the Prisma client",
        "root.ts:9: imports the Node built-in node:child_process (I/O, clocks or randomness)",
      ]);
    });

    it("clocks and randomness, while a date built from a value is fine", () => {
      expect(
        check({
          "root.ts": [
            `export const a = Date.now();`,
            `export const b = new Date();`,
            `export const c = new Date("2026-01-01T00:00:00Z");`,
            `export const d = performance.now();`,
            `export const e = Math.random();`,
            `export const f = crypto.randomUUID();`,
            `export const g = process.env.HOME;`,
            `export const h = Math.max(1, 2);`,
          ].join("\n"),
        }),
      ).toEqual([
        "root.ts:1: calls Date.now() (reads the clock)",
        "root.ts:2: calls new Date() without arguments (reads the clock)",
        "root.ts:4: calls performance.now() (reads the clock)",
        "root.ts:5: calls Math.random() (randomness)",
        "root.ts:6: calls crypto.randomUUID() (randomness)",
        "root.ts:7: uses process.env (ambient process state: env, clock, I/O)",
      ]);
    });
  });
});

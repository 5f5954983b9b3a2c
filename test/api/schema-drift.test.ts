import fs from "node:fs";
import { printSchema } from "graphql";
import { expect, test } from "vitest";
import { schema } from "../../src/api/schema.js";

// schema/schema.graphql is the committed contract clients read; it must be what the code serves.
const schemaFile = new URL("../../schema/schema.graphql", import.meta.url);

test("schema/schema.graphql is the schema the code builds", () => {
  const committed = fs.readFileSync(schemaFile, "utf8");
  expect(committed, "schema/schema.graphql is stale: run `npm run schema:print` and commit the result").toBe(`${printSchema(schema)}\n`);
});

// Writes the GraphQL schema, printed from the code, to schema/schema.graphql (committed; a test
// fails when it is stale). Usage: npm run schema:print
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { printSchema } from "graphql";
import { schema } from "../src/api/schema.js";

export const schemaFile = fileURLToPath(new URL("../schema/schema.graphql", import.meta.url));

fs.writeFileSync(schemaFile, `${printSchema(schema)}\n`);
console.log(`wrote ${schemaFile}`);

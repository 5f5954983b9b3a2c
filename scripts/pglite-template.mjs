// Build step: PGlite's initdb output as a tarball new embedded stores start from (src/db/pglite-template.ts).
import { writeInitdbTemplate } from "../dist/src/db/pglite-template.js";

const file = await writeInitdbTemplate();
console.log(`pglite initdb template: ${file}`);

// `npm run build` compiles src/ into dist/ with tsc, which copies no data files: the ones the
// server reads next to its modules are copied here. (Migrations and the AWS catalogue artifact
// are found from dist/ in their source folders instead: src/db/migrate.ts, src/catalogue/.)
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const assets = ["src/aws/models"];
for (const dir of assets) fs.cpSync(`${root}/${dir}`, `${root}/dist/${dir}`, { recursive: true });

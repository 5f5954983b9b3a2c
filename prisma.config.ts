import { defineConfig } from "prisma/config";

// Prisma's CLI is used here only for `prisma generate` (client + Pothos types). Migrations are
// plain SQL applied by src/cli/migrate.ts, so no native schema engine is ever needed.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});

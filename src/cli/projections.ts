import type { Config } from "../config/config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { seedAwsManagedPolicies } from "../app/seed-aws-managed.js";
import { projectionStatus, rebuildProjections } from "../projections/rebuild.js";

export const projectionsUsage = `iamgraph projections status    each projection's checkpoint and lag behind the log
iamgraph projections rebuild   replay the whole log into the read models (one transaction; readers see the old rows until it commits)
`;

export async function projectionsCommand(config: Config, argv: readonly string[]): Promise<void> {
  const [sub] = argv;
  if (sub !== "status" && sub !== "rebuild") {
    process.stderr.write(projectionsUsage);
    process.exitCode = 2;
    return;
  }
  const db = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    await migrate(db.sql);
    if (sub === "status") {
      const rows = await projectionStatus(db.prisma);
      process.stdout.write(`${"projection".padEnd(20)} ${"checkpoint".padStart(10)} ${"head".padStart(10)} ${"lag".padStart(8)}\n`);
      for (const r of rows) process.stdout.write(`${r.name.padEnd(20)} ${String(r.checkpoint).padStart(10)} ${String(r.head).padStart(10)} ${String(r.lag).padStart(8)}\n`);
      return;
    }
    await seedAwsManagedPolicies(db.prisma);
    const started = Date.now();
    const result = await rebuildProjections(db.prisma, (done, total) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const rate = done / seconds;
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      process.stderr.write(`\rrebuild ${done}/${total} events ${Math.round(rate)} events/s ETA ${eta}s   `);
    });
    process.stderr.write(`\nrebuilt from ${result.events} events up to position ${result.head} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  } finally {
    await db.close();
  }
}

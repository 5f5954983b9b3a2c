import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config/config.js";
import { DataDirLock } from "../db/data-dir-lock.js";
import { openDatabase, storeOptions, type Database } from "../db/database.js";

/** A refusal an operator can act on: printed as one line (no stack), with an exit code. */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "OperatorError";
  }
}

/**
 * The URL of the server holding the embedded store, if one does: operator commands that need
 * the store send their request there (no second process may open it).
 */
export function serverHoldingStore(config: Config): string | undefined {
  if (config.databaseUrl) return undefined; // PostgreSQL serves any number of processes
  return DataDirLock.liveHolder(config.dataDir)?.url;
}

/**
 * Opens a store that must already exist: an operator command run from the wrong directory must
 * say so, not create and migrate an empty store and report zeros.
 */
export async function openExistingStore(config: Config, purpose: string): Promise<Database> {
  if (!config.databaseUrl && !fs.existsSync(path.join(config.dataDir, "PG_VERSION"))) {
    throw new OperatorError(`no iamgraph store at ${displayPath(config.dataDir)}; set IAMGRAPH_DATA_DIR or DATABASE_URL`);
  }
  const db = await openDatabase(storeOptions(config, purpose));
  if (config.databaseUrl) {
    const [row] = await db.sql.query<{ events: string | null }>(`SELECT to_regclass('events')::text AS events`);
    if (!row?.events) {
      await db.close();
      throw new OperatorError("no iamgraph store in DATABASE_URL's schema (no events table); run `npm run migrate` or start the server first");
    }
  }
  return db;
}

function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") ? `./${relative}` : dir;
}

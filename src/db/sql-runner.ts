/** The little raw SQL the migrator and benchmarks need, over either driver. */
export interface SqlRunner {
  /** Runs a script of several statements (simple query protocol). */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn on one connection (session-level locks and settings need that). */
  session<R>(fn: (runner: SqlRunner) => Promise<R>): Promise<R>;
}

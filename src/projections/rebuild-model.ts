/**
 * The read-model tables held in memory while a rebuild folds the log (rebuild-fold.ts). Rows are
 * keyed by column name exactly as in PostgreSQL, so they go to the database as JSON through
 * `json_populate_recordset` with no per-table column list to keep in step with the migrations.
 */
export type Row = Record<string, unknown>;

/** A table's rows by primary key, with the secondary indexes the fold looks rows up by. */
export class MemTable {
  readonly rows = new Map<string, Row>();
  /** Rows touched since tracking started, by key, each with its primary key columns (catch-up
   * writes only these); undefined = not tracking. */
  dirty: Map<string, Row> | undefined;
  readonly #indexes = new Map<string, { of: (r: Row) => string; keys: Map<string, Set<string>> }>();

  constructor(
    readonly name: string,
    readonly primaryKey: readonly string[],
    indexes: Record<string, (r: Row) => string> = {},
  ) {
    for (const [name, of] of Object.entries(indexes)) this.#indexes.set(name, { of, keys: new Map() });
  }

  keyOf(row: Row): string {
    return this.primaryKey.map((c) => String(row[c])).join("\u0000");
  }

  get(key: Row): Row | undefined {
    return this.rows.get(this.keyOf(key));
  }

  /** INSERT … ON CONFLICT DO NOTHING. */
  insertIfAbsent(row: Row): void {
    if (!this.rows.has(this.keyOf(row))) this.put(row);
  }

  /** INSERT, or replace the row with the same key. */
  put(row: Row): void {
    const key = this.keyOf(row);
    const old = this.rows.get(key);
    if (old) this.#unindex(key, old);
    this.rows.set(key, row);
    for (const index of this.#indexes.values()) {
      const value = index.of(row);
      let set = index.keys.get(value);
      if (!set) index.keys.set(value, (set = new Set()));
      set.add(key);
    }
    this.dirty?.set(key, row);
  }

  /** UPDATE … WHERE key (a no-op when there is no such row, like Prisma's updateMany). */
  update(key: Row, patch: Row): void {
    const row = this.get(key);
    if (row) this.put({ ...row, ...patch });
  }

  delete(key: Row): void {
    this.deleteKey(this.keyOf(key));
  }

  deleteKey(key: string): void {
    const old = this.rows.get(key);
    if (!old) return;
    this.#unindex(key, old);
    this.rows.delete(key);
    this.dirty?.set(key, old);
  }

  /** Rows whose index `name` has the value (a copy: callers may delete while iterating). */
  find(name: string, value: string): Row[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`${this.name} has no index ${name}`);
    const keys = index.keys.get(value);
    return keys ? [...keys].map((k) => this.rows.get(k)!) : [];
  }

  deleteWhere(name: string, value: string, also: (r: Row) => boolean = () => true): void {
    for (const row of this.find(name, value)) if (also(row)) this.delete(row);
  }

  #unindex(key: string, row: Row): void {
    for (const index of this.#indexes.values()) {
      const value = index.of(row);
      const set = index.keys.get(value);
      set?.delete(key);
      if (set?.size === 0) index.keys.delete(value);
    }
  }
}

const entity = (r: Row) => `${String(r.entity_type)}:${String(r.entity_id)}`;

/** Every built-in read model, in the order a parent comes before the tables referencing it. */
export function emptyModel() {
  return {
    users: new MemTable("users", ["id"]),
    user_tags: new MemTable("user_tags", ["user_id", "key_key"], { user: (r) => String(r.user_id) }),
    groups: new MemTable("groups", ["id"]),
    group_memberships: new MemTable("group_memberships", ["user_id", "group_id"], {
      user: (r) => String(r.user_id),
      group: (r) => String(r.group_id),
    }),
    roles: new MemTable("roles", ["id"]),
    role_tags: new MemTable("role_tags", ["role_id", "key_key"], { role: (r) => String(r.role_id) }),
    policies: new MemTable("policies", ["id"], { arn: (r) => String(r.arn) }),
    policy_versions: new MemTable("policy_versions", ["policy_id", "version_id"], { policy: (r) => String(r.policy_id) }),
    policy_tags: new MemTable("policy_tags", ["policy_id", "key_key"], { policy: (r) => String(r.policy_id) }),
    policy_attachments: new MemTable("policy_attachments", ["entity_type", "entity_id", "policy_arn"], { entity }),
    inline_policies: new MemTable("inline_policies", ["entity_type", "entity_id", "policy_name"], { entity }),
    effective_policies: new MemTable("effective_policies", ["principal_id", "source_key", "via_group_id"], {
      principal: (r) => String(r.principal_id),
      via: (r) => String(r.via_group_id),
    }),
    access_keys: new MemTable("access_keys", ["access_key_id"], { user: (r) => String(r.user_id) }),
  };
}

export type ReadModel = ReturnType<typeof emptyModel>;
export type TableName = keyof ReadModel;

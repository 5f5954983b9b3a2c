/**
 * The read-model tables the projections write: each one's primary key (an upsert's conflict
 * target) and the column sets the projections look rows up or delete them by (the in-memory
 * interpreter keeps an index for each; PostgreSQL has the matching indexes, see the migrations).
 */
export const tables = {
  users: { primaryKey: ["id"], lookups: [] },
  user_tags: { primaryKey: ["user_id", "key_key"], lookups: [["user_id"]] },
  groups: { primaryKey: ["id"], lookups: [] },
  group_memberships: { primaryKey: ["user_id", "group_id"], lookups: [["user_id"], ["group_id"]] },
  roles: { primaryKey: ["id"], lookups: [] },
  role_tags: { primaryKey: ["role_id", "key_key"], lookups: [["role_id"]] },
  policies: { primaryKey: ["id"], lookups: [] },
  policy_versions: { primaryKey: ["policy_id", "version_id"], lookups: [["policy_id"]] },
  policy_tags: { primaryKey: ["policy_id", "key_key"], lookups: [["policy_id"]] },
  policy_attachments: { primaryKey: ["entity_type", "entity_id", "policy_arn"], lookups: [["entity_type", "entity_id"]] },
  inline_policies: { primaryKey: ["entity_type", "entity_id", "policy_name"], lookups: [["entity_type", "entity_id"]] },
  effective_policies: { primaryKey: ["principal_id", "source_key", "via_group_id"], lookups: [["principal_id"], ["via_group_id"]] },
  access_keys: { primaryKey: ["access_key_id"], lookups: [["user_id"]] },
  oidc_providers: { primaryKey: ["arn"], lookups: [] },
} as const satisfies Record<string, { primaryKey: readonly string[]; lookups: readonly (readonly string[])[] }>;

export type TableName = keyof typeof tables;

import { initialGroupState, evolveGroup, type GroupState } from "../domain/groups/state.js";
import { nameKey } from "../domain/shared/names.js";
import { groupStreamId, policyStreamId, roleStreamId, userStreamId } from "../domain/shared/stream-ids.js";
import { initialPolicyState, evolvePolicy, type PolicyState } from "../domain/policies/state.js";
import { initialRoleState, evolveRole, type RoleState } from "../domain/roles/state.js";
import { initialUserState, evolveUser, type UserState } from "../domain/users/state.js";
import { readStream } from "../eventstore/read.js";
import { evolveOidcProvider, initialOidcProviderState, type OidcProviderState } from "../domain/oidc-providers/state.js";
import { oidcProviderStreamId } from "../domain/shared/stream-ids.js";
import type { Tx } from "../db/transaction.js";

// Entity state comes from folding the entity's own stream; the name → id lookup, counts and
// memberships come from the inline read models, which are exact here because the pipeline holds
// the write lock and those projections commit with the events.

export interface Loaded<S> {
  readonly state: S;
  readonly streamId: string;
  /** Stream version the state was folded to; 0 when the stream does not exist. */
  readonly version: number;
}

export async function loadUserByName(tx: Tx, accountId: string, userName: string): Promise<Loaded<UserState> | undefined> {
  const row = await tx.user.findUnique({ where: { accountId_userNameKey: { accountId, userNameKey: nameKey(userName) } }, select: { id: true } });
  if (!row) return undefined;
  return loadUser(tx, row.id);
}

export async function loadUser(tx: Tx, userId: string): Promise<Loaded<UserState>> {
  const streamId = userStreamId(userId);
  const events = await readStream(tx, streamId);
  return { state: events.reduce(evolveUser, initialUserState), streamId, version: events.at(-1)?.streamVersion ?? 0 };
}

export async function loadGroupByName(tx: Tx, accountId: string, groupName: string): Promise<Loaded<GroupState> | undefined> {
  const row = await tx.group.findUnique({ where: { accountId_groupNameKey: { accountId, groupNameKey: nameKey(groupName) } }, select: { id: true } });
  if (!row) return undefined;
  const streamId = groupStreamId(row.id);
  const events = await readStream(tx, streamId);
  return { state: events.reduce(evolveGroup, initialGroupState), streamId, version: events.at(-1)?.streamVersion ?? 0 };
}

const namedTables = {
  user: { table: "users", nameKey: "user_name_key" },
  group: { table: "groups", nameKey: "group_name_key" },
  role: { table: "roles", nameKey: "role_name_key" },
  policy: { table: "policies", nameKey: "policy_name_key" },
} as const;

/**
 * What a Create command's rules read — whether the name is taken (ignoring case) and how many
 * the account holds (its quota) — in one statement: one round trip under the write lock, not two.
 */
export async function nameTakenAndCount(tx: Tx, kind: keyof typeof namedTables, accountId: string, name: string): Promise<{ nameTaken: boolean; count: number }> {
  const { table, nameKey: column } = namedTables[kind];
  const [row] = await tx.$queryRawUnsafe<{ taken: boolean; n: number }[]>(
    `SELECT EXISTS (SELECT 1 FROM ${table} WHERE account_id = $1 AND ${column} = $2) AS taken, (SELECT count(*)::int FROM ${table} WHERE account_id = $1) AS n`,
    accountId,
    nameKey(name),
  );
  return { nameTaken: row!.taken, count: Number(row!.n) };
}

/** Whether a user other than `exceptId` holds the name, ignoring case. */
export async function userNameTaken(tx: Tx, accountId: string, userName: string, exceptId?: string): Promise<boolean> {
  const row = await tx.user.findUnique({ where: { accountId_userNameKey: { accountId, userNameKey: nameKey(userName) } }, select: { id: true } });
  return row !== null && row.id !== exceptId;
}

export async function groupNameTaken(tx: Tx, accountId: string, groupName: string, exceptId?: string): Promise<boolean> {
  const row = await tx.group.findUnique({ where: { accountId_groupNameKey: { accountId, groupNameKey: nameKey(groupName) } }, select: { id: true } });
  return row !== null && row.id !== exceptId;
}

export async function loadRoleByName(tx: Tx, accountId: string, roleName: string): Promise<Loaded<RoleState> | undefined> {
  const row = await tx.role.findUnique({ where: { accountId_roleNameKey: { accountId, roleNameKey: nameKey(roleName) } }, select: { id: true } });
  if (!row) return undefined;
  const streamId = roleStreamId(row.id);
  const events = await readStream(tx, streamId);
  return { state: events.reduce(evolveRole, initialRoleState), streamId, version: events.at(-1)?.streamVersion ?? 0 };
}

/** A customer-managed policy of this account by ARN, folded from its stream. */
export async function loadPolicyByArn(tx: Tx, arn: string): Promise<Loaded<PolicyState> | undefined> {
  const row = await tx.policy.findUnique({ where: { arn }, select: { id: true, isAwsManaged: true } });
  if (!row || row.isAwsManaged) return undefined;
  const streamId = policyStreamId(row.id);
  const events = await readStream(tx, streamId);
  return { state: events.reduce(evolvePolicy, initialPolicyState), streamId, version: events.at(-1)?.streamVersion ?? 0 };
}

/** An OpenID Connect provider's stream, by its URL key (stream-ids.ts), folded; version 0 when it never existed. */
export async function loadOidcProvider(tx: Tx, urlKey: string): Promise<Loaded<OidcProviderState>> {
  const streamId = oidcProviderStreamId(urlKey);
  const events = await readStream(tx, streamId);
  return { state: events.reduce(evolveOidcProvider, initialOidcProviderState), streamId, version: events.at(-1)?.streamVersion ?? 0 };
}

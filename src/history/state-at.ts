import { evolveGroup, initialGroupState, type GroupState } from "../domain/groups/state.js";
import { evolvePolicy, initialPolicyState, type PolicyState } from "../domain/policies/state.js";
import { nameKey } from "../domain/shared/names.js";
import { evolveRole, initialRoleState, type RoleState } from "../domain/roles/state.js";
import { evolveUser, initialUserState, type UserState } from "../domain/users/state.js";
import type { RawQueryable } from "../eventstore/read.js";
import { effectiveSetOf, type EffectiveSet } from "./effective-set.js";
import { loadPrincipalEvents, readStreams, streamsNamed, type EntityKind } from "./load.js";
import { inEffectAt, type HistoryPoint } from "./aws-dated.js";
import { worldAt } from "./timeline.js";

// The state of one entity at a position = the fold of its own stream up to that position.
// No whole-log replay: one query finds the stream by name or ARN, one reads it.

export interface StateAt<S> {
  readonly streamId: string;
  readonly state: S;
  /** Stream version folded to; the position of the stream's last event at or before the point. */
  readonly version: number;
  readonly lastPosition: number;
}

type StateOf<K extends EntityKind> = K extends "user" ? UserState : K extends "group" ? GroupState : K extends "role" ? RoleState : PolicyState;

const fold = {
  user: (events) => events.reduce(evolveUser, initialUserState),
  group: (events) => events.reduce(evolveGroup, initialGroupState),
  role: (events) => events.reduce(evolveRole, initialRoleState),
  policy: (events) => events.reduce(evolvePolicy, initialPolicyState),
} satisfies Record<EntityKind, (events: Awaited<ReturnType<typeof readStreams>>) => unknown>;

/**
 * An active user, group, role or customer-managed policy as it was at a position, found by name
 * (users, groups, roles; ignoring case) or ARN (any kind). Undefined when nothing active held the
 * name or ARN then — not created yet, deleted, or renamed away.
 */
export async function entityAt<K extends EntityKind>(
  db: RawQueryable,
  kind: K,
  by: "arn" | "name",
  value: string,
  position: number,
): Promise<StateAt<StateOf<K>> | undefined> {
  const streams = await streamsNamed(db, kind, by, value, position);
  // Latest claimant first: a name freed by a delete or rename may have been taken again.
  for (const streamId of streams.reverse()) {
    const events = await readStreams(db, [streamId], position);
    const state = fold[kind](events) as StateOf<K>;
    if (state.status !== "active") continue;
    const current = by === "arn" ? state.arn : nameOf(state as ActiveState);
    if (by === "arn" ? current !== value : nameKey(current) !== nameKey(value)) continue;
    return { streamId, state, version: events.at(-1)?.streamVersion ?? 0, lastPosition: events.at(-1)?.position ?? 0 };
  }
  return undefined;
}

type ActiveState = Extract<UserState | GroupState | RoleState | PolicyState, { status: "active" }>;

function nameOf(state: ActiveState): string {
  return "userName" in state ? state.userName : "groupName" in state ? state.groupName : "roleName" in state ? state.roleName : state.policyName;
}

/** A user's or role's policies in effect at a point, folded from the streams that matter to it. */
export async function effectiveSetAt(db: RawQueryable, principalArn: string, point: HistoryPoint, accountId: string): Promise<EffectiveSet | undefined> {
  const loaded = await loadPrincipalEvents(db, principalArn, point.position);
  if (!loaded) return undefined;
  const set = effectiveSetOf(worldAt(loaded.events, point), loaded.principalStreamId, accountId);
  return set?.principal.arn === principalArn ? set : undefined;
}

/**
 * An AWS-managed policy as history sees it at a point: its versions in effect by AWS's date
 * (aws-dated.ts), whenever they were imported. Undefined before its first AWS version, or when
 * the log holds no stream for it (the builtin catalogue).
 */
export async function awsPolicyAt(db: RawQueryable, arn: string, point: HistoryPoint): Promise<StateAt<PolicyState> | undefined> {
  const streamId = (await streamsNamed(db, "policy", "arn", arn)).at(-1);
  if (!streamId) return undefined;
  const events = (await readStreams(db, [streamId])).filter((e) => inEffectAt(e, point));
  const state = events.reduce(evolvePolicy, initialPolicyState);
  if (state.status !== "active") return undefined;
  return { streamId, state, version: events.at(-1)?.streamVersion ?? 0, lastPosition: events.at(-1)?.position ?? 0 };
}

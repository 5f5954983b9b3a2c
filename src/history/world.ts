import type { IamEvent } from "../../events/catalogue.js";
import { evolveGroup, initialGroupState, type GroupState } from "../domain/groups/state.js";
import { evolvePolicy, initialPolicyState, type PolicyState } from "../domain/policies/state.js";
import { streamKind } from "../domain/shared/stream-ids.js";
import { evolveRole, initialRoleState, type RoleState } from "../domain/roles/state.js";
import { evolveUser, initialUserState, type UserState } from "../domain/users/state.js";

/**
 * The states of a handful of entities, each folded from its own stream only — the per-entity
 * view a point-in-time query needs (one principal, its groups, its policies), never the whole
 * log. Reuses the domain's `evolve*` functions, so history and the deciders agree by construction.
 */
export interface World {
  readonly users: ReadonlyMap<string, UserState>;
  readonly groups: ReadonlyMap<string, GroupState>;
  readonly roles: ReadonlyMap<string, RoleState>;
  /** Customer-managed policies, by stream id. */
  readonly policies: ReadonlyMap<string, PolicyState>;
  /** Customer-managed policy ARN → stream id (the latest policy that held the ARN). */
  readonly policyStreamByArn: ReadonlyMap<string, string>;
  /** AWS-managed ARNs whose streams the log holds (aws-dated.ts): never answered from the builtin copy. */
  readonly awsPolicyArns?: ReadonlySet<string>;
}

export const emptyWorld: World = { users: new Map(), groups: new Map(), roles: new Map(), policies: new Map(), policyStreamByArn: new Map() };

/** Folds one event of any stream into the world. Mutates a copy of only the map it touches. */
export function evolveWorld(world: World, event: IamEvent & { readonly streamId: string }): World {
  const id = event.streamId;
  switch (streamKind(id)) {
    case "user":
      return { ...world, users: new Map(world.users).set(id, evolveUser(world.users.get(id) ?? initialUserState, event)) };
    case "group":
      return { ...world, groups: new Map(world.groups).set(id, evolveGroup(world.groups.get(id) ?? initialGroupState, event)) };
    case "role":
      return { ...world, roles: new Map(world.roles).set(id, evolveRole(world.roles.get(id) ?? initialRoleState, event)) };
    case "policy": {
      const state = evolvePolicy(world.policies.get(id) ?? initialPolicyState, event);
      const byArn = event.type === "PolicyCreated" ? new Map(world.policyStreamByArn).set(event.data.arn, id) : world.policyStreamByArn;
      return { ...world, policies: new Map(world.policies).set(id, state), policyStreamByArn: byArn };
    }
    default:
      return world;
  }
}

export function foldWorld(events: Iterable<IamEvent & { readonly streamId: string }>, from: World = emptyWorld): World {
  let world = from;
  for (const event of events) world = evolveWorld(world, event);
  return world;
}

/**
 * Folds many events into a world in place — for bulk folds (every principal at a point), where
 * copying a map per event, as `evolveWorld` does, would cost O(events × entities).
 */
export function foldWorldInPlace(events: Iterable<IamEvent & { readonly streamId: string }>, world: World = emptyWorld): World {
  const users = new Map(world.users);
  const groups = new Map(world.groups);
  const roles = new Map(world.roles);
  const policies = new Map(world.policies);
  const policyStreamByArn = new Map(world.policyStreamByArn);
  for (const event of events) {
    const id = event.streamId;
    switch (streamKind(id)) {
      case "user":
        users.set(id, evolveUser(users.get(id) ?? initialUserState, event));
        break;
      case "group":
        groups.set(id, evolveGroup(groups.get(id) ?? initialGroupState, event));
        break;
      case "role":
        roles.set(id, evolveRole(roles.get(id) ?? initialRoleState, event));
        break;
      case "policy":
        policies.set(id, evolvePolicy(policies.get(id) ?? initialPolicyState, event));
        if (event.type === "PolicyCreated") policyStreamByArn.set(event.data.arn, id);
        break;
      default:
    }
  }
  return { ...world, users, groups, roles, policies, policyStreamByArn };
}

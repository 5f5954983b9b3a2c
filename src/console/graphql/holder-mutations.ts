import type { ApiClient } from "./client.js";
import {
  DeleteGroupPolicy, DeleteRolePermissionsBoundary, DeleteRolePolicy, DeleteUserPermissionsBoundary, DeleteUserPolicy,
  PutGroupPolicy, PutRolePermissionsBoundary, PutRolePolicy, PutUserPermissionsBoundary, PutUserPolicy,
} from "./mutations.js";

/** Who holds inline policies (users, groups, roles) and boundaries (users, roles). */
export type PolicyHolder = "user" | "group" | "role";
export type BoundaryHolder = "user" | "role";

// Put/Delete{User,Group,Role}Policy and Put/Delete{User,Role}PermissionsBoundary, one switch each,
// so a detail page names its holder once and the components stay the same for all three.

export async function putInlinePolicy(client: ApiClient, holder: PolicyHolder, name: string, policyName: string, policyDocument: string, dryRun: boolean) {
  switch (holder) {
    case "user": return (await client.run(PutUserPolicy, { userName: name, policyName, policyDocument, dryRun })).putUserPolicy;
    case "group": return (await client.run(PutGroupPolicy, { groupName: name, policyName, policyDocument, dryRun })).putGroupPolicy;
    case "role": return (await client.run(PutRolePolicy, { roleName: name, policyName, policyDocument, dryRun })).putRolePolicy;
  }
}

export async function deleteInlinePolicy(client: ApiClient, holder: PolicyHolder, name: string, policyName: string, dryRun: boolean) {
  switch (holder) {
    case "user": return (await client.run(DeleteUserPolicy, { userName: name, policyName, dryRun })).deleteUserPolicy;
    case "group": return (await client.run(DeleteGroupPolicy, { groupName: name, policyName, dryRun })).deleteGroupPolicy;
    case "role": return (await client.run(DeleteRolePolicy, { roleName: name, policyName, dryRun })).deleteRolePolicy;
  }
}

export async function putBoundary(client: ApiClient, holder: BoundaryHolder, name: string, permissionsBoundary: string, dryRun: boolean) {
  switch (holder) {
    case "user": return (await client.run(PutUserPermissionsBoundary, { userName: name, permissionsBoundary, dryRun })).putUserPermissionsBoundary;
    case "role": return (await client.run(PutRolePermissionsBoundary, { roleName: name, permissionsBoundary, dryRun })).putRolePermissionsBoundary;
  }
}

export async function deleteBoundary(client: ApiClient, holder: BoundaryHolder, name: string, dryRun: boolean) {
  switch (holder) {
    case "user": return (await client.run(DeleteUserPermissionsBoundary, { userName: name, dryRun })).deleteUserPermissionsBoundary;
    case "role": return (await client.run(DeleteRolePermissionsBoundary, { roleName: name, dryRun })).deleteRolePermissionsBoundary;
  }
}

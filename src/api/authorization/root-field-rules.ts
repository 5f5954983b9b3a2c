import { userNameOrCaller } from "../../auth/caller.js";
import { pathPrefixArn, type AuthorizationCheck } from "../../authz/authorization-check.js";
import { entityCheckFor, policyCheckFor } from "./entity-checks.js";
import { rule, single, type FieldRule } from "./field-rule.js";
import { mutationCommands } from "../mutation-commands.js";
import { resourceLookup } from "./resource-lookup.js";

// One rule per root field: the IAM action AWS checks for the API call the field stands for, on
// the resource AWS names. Operations AWS does not have are iamgraph's own actions (README,
// "Authorization"). test/api/authorization-coverage.test.ts fails when a root field has none.

/** Time travel reads the past of the whole account: one permission to do so at all, on `*`. */
const readAsOf: AuthorizationCheck = { action: "iamgraph:ReadAsOf", resource: "*" };
const whenAsOf = (args: Record<string, any>) => (args.asOf ? [readAsOf] : []);
const previewChangeCheck: AuthorizationCheck = { action: "iamgraph:PreviewChange", resource: "*" };

export const queryRules: Record<string, FieldRule> = {
  user: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "user", args.userName, "iam:GetUser")]),
  users: single("iam:ListUsers", ({ ctx, args }) => pathPrefixArn(ctx.accountId, "user", args.pathPrefix)),
  groupsForUser: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "user", args.userName, "iam:ListGroupsForUser")]),
  group: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "group", args.groupName, "iam:GetGroup")]),
  groups: single("iam:ListGroups", ({ ctx, args }) => pathPrefixArn(ctx.accountId, "group", args.pathPrefix)),
  role: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "role", args.roleName, "iam:GetRole")]),
  roles: single("iam:ListRoles", ({ ctx, args }) => pathPrefixArn(ctx.accountId, "role", args.pathPrefix)),
  policy: rule(async ({ ctx, args }) => [await policyCheckFor(ctx, args.arn, "iam:GetPolicy")]),
  policies: single("iam:ListPolicies", ({ ctx, args }) => pathPrefixArn(ctx.accountId, "policy", args.pathPrefix)),
  policyVersion: rule(async ({ ctx, args }) => [await policyCheckFor(ctx, args.policyArn, "iam:GetPolicyVersion")]),
  entitiesForPolicy: rule(async ({ ctx, args }) => [await policyCheckFor(ctx, args.arn, "iam:ListEntitiesForPolicy")]),
  accountSummary: single("iam:GetAccountSummary", () => "*"),
  accountAuthorizationDetails: single("iam:GetAccountAuthorizationDetails", () => "*"),

  // Access keys are authorized on their owner's user ARN; without userName the caller's own.
  accessKeys: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "user", userNameOrCaller(args.userName, ctx.caller), "iam:ListAccessKeys")]),
  // An unknown key has no owner to name: checked on `*`, so only a caller allowed on every user
  // learns that a key id does not exist.
  accessKeyLastUsed: single("iam:GetAccessKeyLastUsed", async ({ ctx, args }) => (await resourceLookup(ctx).accessKeyOwner(args.accessKeyId))?.arn ?? "*"),
  callerIdentity: { open: "STS GetCallerIdentity needs no permission: every authenticated caller may ask who it is." },

  // SimulatePrincipalPolicy names the principal simulated (SAR: user, group or role); the custom
  // simulation has no principal, so `*`.
  simulatePrincipalPolicy: rule(({ args }) => [{ action: "iam:SimulatePrincipalPolicy", resource: args.policySourceArn }, ...whenAsOf(args)]),
  simulateCustomPolicy: single("iam:SimulateCustomPolicy", () => "*"),
  // The same resources as the simulations they prepare (SAR: GetContextKeysForPrincipalPolicy on
  // the user, group or role; GetContextKeysForCustomPolicy on no resource).
  contextKeysForPrincipalPolicy: single("iam:GetContextKeysForPrincipalPolicy", ({ args }) => args.policySourceArn),
  contextKeysForCustomPolicy: single("iam:GetContextKeysForCustomPolicy", () => "*"),
  // Access Analyzer's action: validation reads nothing of the account.
  validatePolicy: single("access-analyzer:ValidatePolicy", () => "*"),
  checkNoNewAccess: single("access-analyzer:CheckNoNewAccess", () => "*"),
  checkAccessNotGranted: single("access-analyzer:CheckAccessNotGranted", () => "*"),

  // iamgraph's own questions about a principal are authorized on that principal's ARN, like
  // SimulatePrincipalPolicy: what someone may do is as sensitive as the policies saying it.
  authorize: rule(({ args }) => [{ action: "iamgraph:Authorize", resource: args.principalArn }, ...whenAsOf(args)]),
  // Who-can is a question about a resource: authorized on the resource asked about, so access
  // to it can be delegated per resource.
  principalsAllowed: rule(({ args }) => [{ action: "iamgraph:ListPrincipalsAllowed", resource: args.resource }, ...whenAsOf(args)]),
  permissionDiff: single("iamgraph:GetPermissionDiff", ({ args }) => args.principalArn),
  accessTimeline: single("iamgraph:GetAccessTimeline", ({ args }) => args.principalArn),
  // The log spans every entity: reading it is one permission on `*`; one entity's history is on
  // that entity's ARN.
  events: single("iamgraph:ListEvents", () => "*"),
  history: single("iamgraph:GetHistory", ({ args }) => args.arn),
  asOf: rule(() => [readAsOf]),
  // A dry run reveals what the change would do to others' permissions, so it needs its own
  // permission; the command's own checks run in the pipeline (below).
  previewChange: rule(() => [previewChangeCheck]),
  // Operator operations (src/app/projection-operations.ts): the store as a whole, so `*`.
  projectionStatus: single("iamgraph:GetProjectionStatus", () => "*"),
  // Who held a role is as sensitive as the role itself: iamgraph's own action, on the role's ARN.
  roleSessions: single("iamgraph:ListRoleSessions", ({ args }) => args.roleArn),
  openIDConnectProvider: single("iam:GetOpenIDConnectProvider", ({ args }) => args.openIDConnectProviderArn),
  openIDConnectProviders: single("iam:ListOpenIDConnectProviders", () => "*"),
  // The account's whole state in AWS's shape (src/snapshot): GetAccountAuthorizationDetails.
  accountSnapshot: rule(({ args }) => [{ action: "iam:GetAccountAuthorizationDetails", resource: "*" }, ...whenAsOf(args)]),
};

export const mutationRules: Record<string, FieldRule> = {
  // A mutation is authorized as the command it sends — by the pipeline, under the write lock, on
  // the state the command acts on (src/app/command-authorization.ts), not here on facts read
  // before it. A dry run is rehearsed through the same pipeline, so it refuses what the real call
  // would, and it also needs iamgraph:PreviewChange: its answer is the change's effect on other
  // principals' decisions, which the mutation's own permission does not entitle anyone to read.
  ...Object.fromEntries(Object.keys(mutationCommands).map((field) => [field, rule(({ args }) => (args.dryRun === true ? [previewChangeCheck] : []))])),
  // Restoring a principal is iamgraph's own operation on it; the pipeline then authorizes each
  // compensating command it sends (or rehearses, for the preview), so a restore never does what
  // the caller could not do one mutation at a time.
  restorePrincipal: single("iamgraph:RestorePrincipal", ({ args }) => args.arn),
  rebuildProjections: single("iamgraph:RebuildProjections", () => "*"),
  // AssumeRole is decided by src/sts/assume-role.ts, not here: whether the caller's identity
  // policies must allow sts:AssumeRole depends on how the role's trust policy names the caller
  // (src/policy/trust-policy.ts, assumeRoleDecision), so no check can be made before it.
  assumeRole: rule(() => []),
  // AssumeRoleWithWebIdentity needs no credentials (AWS): the web identity token is verified and
  // the role's trust policy decides, in src/sts/web-identity.ts. Anonymous callers reach it.
  assumeRoleWithWebIdentity: rule(() => []),
  // Importing an account snapshot is iamgraph's own operation on the account; the pipeline then
  // authorizes every command it sends (iam:CreateUser, …) as the caller's, as for restorePrincipal.
  importAccountSnapshot: rule(({ args }) => [{ action: "iamgraph:ImportAccountSnapshot", resource: "*" }, ...(args.dryRun === true ? [previewChangeCheck] : [])]),
};

// A subscription asks the same question as the query it streams, so it takes the same action;
// it is checked when it starts and again whenever the subscriber's permissions may have changed.
export const subscriptionRules: Record<string, FieldRule> = {
  events: queryRules.events!,
  entityChanged: single("iamgraph:GetHistory", ({ args }) => args.arn),
  permissionsChanged: single("iamgraph:GetPermissionDiff", ({ args }) => args.principalArn),
  decisionChanged: single("iamgraph:Authorize", ({ args }) => args.principalArn),
};

export const rootFieldRules = { Query: queryRules, Mutation: mutationRules, Subscription: subscriptionRules } as const;

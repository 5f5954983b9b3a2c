import type { AuthorizationCheck } from "../../authz/authorization-check.js";
import { entityCheckFor, policyCheckFor } from "./entity-checks.js";
import { rule, type FieldRule } from "./field-rule.js";

// Fields of objects that reveal more than the operation that reached the object: a user reached
// through ListUsers does not bring its policies with it, as in AWS, where ListAttachedUserPolicies,
// GetUserPolicy, ListGroupsForUser… are separate actions on the user. A field not listed here
// (ids, names, paths, tags, boundary — what GetUser itself returns) is covered by its parent's
// check. Checks use the object's own ARN, so a list of a hundred users costs one batch.

const on = (...actions: string[]) => (arn: string): AuthorizationCheck[] => actions.map((action) => ({ action, resource: arn }));

type Holder = "User" | "Group" | "Role";
type Arned = { arn: string };
type Historic = { state: { arn: string } };

/** The same policy-reading fields on each holder, current (`arn`) or historic (`state.arn`). */
function holderPolicyRules(noun: Holder, arnOf: (source: any) => string, fields: readonly ("attachedPolicies" | "inlinePolicies" | "inlinePolicy")[]) {
  const actions = {
    attachedPolicies: on(`iam:ListAttached${noun}Policies`),
    // Names come from List…Policies, documents from Get…Policy: both are read.
    inlinePolicies: on(`iam:List${noun}Policies`, `iam:Get${noun}Policy`),
    inlinePolicy: on(`iam:Get${noun}Policy`),
  };
  return Object.fromEntries(fields.map((f) => [f, rule(({ source }) => actions[f](arnOf(source)))]));
}

const arn = (s: Arned) => s.arn;
const stateArn = (s: Historic) => s.state.arn;
const allPolicyFields = ["attachedPolicies", "inlinePolicies", "inlinePolicy"] as const;
const historicPolicyFields = ["attachedPolicies", "inlinePolicies"] as const;
/** iamgraph's own: every policy in effect with its path — the union of several AWS reads. */
const effectivePolicies = rule<Arned>(({ source }) => on("iamgraph:GetEffectivePolicies")(source.arn));
const history = rule<Arned>(({ source }) => on("iamgraph:GetHistory")(source.arn));

export const nestedFieldRules: Record<string, Record<string, FieldRule>> = {
  User: {
    ...holderPolicyRules("User", arn, allPolicyFields),
    groups: rule<Arned>(({ source }) => on("iam:ListGroupsForUser")(source.arn)),
    accessKeys: rule<Arned>(({ source }) => on("iam:ListAccessKeys")(source.arn)),
    effectivePolicies,
    effectiveActions: effectivePolicies, // the same policies, read as actions
    history,
  },
  Group: {
    ...holderPolicyRules("Group", arn, allPolicyFields),
    // AWS's GetGroup is what lists a group's members.
    users: rule<Arned>(({ source }) => on("iam:GetGroup")(source.arn)),
    history,
  },
  Role: { ...holderPolicyRules("Role", arn, allPolicyFields), effectivePolicies, effectiveActions: effectivePolicies, history },
  Policy: {
    versions: rule<Arned>(({ source }) => on("iam:ListPolicyVersions", "iam:GetPolicyVersion")(source.arn)),
    defaultVersion: rule<Arned>(({ source }) => on("iam:GetPolicyVersion")(source.arn)),
    history,
  },

  // Time travel: the same questions about the past take the same actions as about the present
  // (plus iamgraph:ReadAsOf, checked once on `asOf` itself).
  PointInTime: {
    user: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "user", args.userName, "iam:GetUser")]),
    group: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "group", args.groupName, "iam:GetGroup")]),
    role: rule(async ({ ctx, args }) => [await entityCheckFor(ctx, "role", args.roleName, "iam:GetRole")]),
    policy: rule(async ({ ctx, args }) => [await policyCheckFor(ctx, args.arn, "iam:GetPolicy")]),
    effectivePolicies: rule(({ args }) => on("iamgraph:GetEffectivePolicies")(args.principalArn)),
    authorize: rule(({ args }) => on("iamgraph:Authorize")(args.principalArn)),
    simulatePrincipalPolicy: rule(({ args }) => on("iam:SimulatePrincipalPolicy")(args.policySourceArn)),
    principalsAllowed: rule(({ args }) => on("iamgraph:ListPrincipalsAllowed")(args.resource ?? "*")),
  },
  HistoricUser: {
    ...holderPolicyRules("User", stateArn, historicPolicyFields),
    groups: rule<Historic>(({ source }) => on("iam:ListGroupsForUser")(source.state.arn)),
  },
  HistoricGroup: holderPolicyRules("Group", stateArn, historicPolicyFields),
  HistoricRole: holderPolicyRules("Role", stateArn, historicPolicyFields),
  HistoricPolicy: {
    versions: rule<any>(({ source }) => on("iam:ListPolicyVersions", "iam:GetPolicyVersion")("awsManaged" in source ? source.awsManaged.arn : source.state.arn)),
  },
};

import { serviceReference } from "../../catalogue/service-reference.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { checkAccessNotGranted } from "../../policy/checks/check-access-not-granted.js";
import { checkNoNewAccess } from "../../policy/checks/check-no-new-access.js";
import type { CheckOutcome, CheckReason, CheckResponse } from "../../policy/checks/types.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";

// Access Analyzer's custom policy checks (CheckNoNewAccess, CheckAccessNotGranted) in AWS's
// request and response shapes; decided by src/policy/checks, which reads nothing of the account.

const CheckResultEnum = builder.enumType("CheckResult", { values: ["PASS", "FAIL"] as const });
const AccessCheckPolicyTypeEnum = builder.enumType("AccessCheckPolicyType", {
  description: "AWS's AccessCheckPolicyType: IDENTITY_POLICY (permissions policies, boundaries) or RESOURCE_POLICY (resource-based policies, with Principal, such as a bucket policy or a role's trust policy).",
  values: ["IDENTITY_POLICY", "RESOURCE_POLICY"] as const,
});

const ReasonSummaryRef = builder.objectRef<CheckReason>("ReasonSummary").implement({
  description: "Why a check failed: the statement of the checked policy, and an action and resource it grants.",
  fields: (t) => ({
    description: t.exposeString("description"),
    statementIndex: t.exposeInt("statementIndex"),
    statementId: t.exposeString("statementId", { nullable: true }),
    action: t.exposeString("action", { nullable: true, description: "A concrete action the statement grants (iamgraph's addition to AWS's shape)." }),
    resource: t.exposeString("resource", { nullable: true, description: "The shortest resource of the kind it grants it on (iamgraph's addition)." }),
    principal: t.exposeString("principal", {
      nullable: true,
      description: "RESOURCE_POLICY: the principal it grants them to, or the class of principals it stands for (iamgraph's addition).",
    }),
    undecided: t.boolean({ description: "True when the check could not be decided exactly and FAIL is the conservative answer.", resolve: (r) => r.undecided === true }),
  }),
});

const CheckResponseRef = builder.objectRef<CheckResponse>("PolicyCheckResponse").implement({
  description: "CheckNoNewAccessResponse / CheckAccessNotGrantedResponse.",
  fields: (t) => ({
    result: t.field({ type: CheckResultEnum, resolve: (r) => r.result }),
    message: t.exposeString("message"),
    reasons: t.field({ type: [ReasonSummaryRef], resolve: (r) => [...r.reasons] }),
  }),
});

const AccessInput = builder.inputType("AccessInput", {
  description: "AWS's Access: actions and/or resources (at most 100 each) the policy must not grant.",
  fields: (t) => ({ actions: t.stringList(), resources: t.stringList() }),
});

/** A check's bad input is the caller's mistake: a typed error, never a masked one. */
function answer(outcome: CheckOutcome): CheckResponse {
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.message);
  return outcome.response;
}

builder.queryFields((t) => ({
  checkNoNewAccess: t.field({
    type: CheckResponseRef,
    errors: iamErrors,
    description: "Access Analyzer CheckNoNewAccess: FAIL when the new policy allows anything the existing one does not, with the statements that do.",
    args: {
      newPolicyDocument: t.arg.string({ required: true }),
      existingPolicyDocument: t.arg.string({ required: true }),
      policyType: t.arg({ type: AccessCheckPolicyTypeEnum, defaultValue: "IDENTITY_POLICY" }),
    },
    resolve: async (_root, args) => answer(checkNoNewAccess(args.newPolicyDocument, args.existingPolicyDocument, args.policyType ?? "IDENTITY_POLICY", await serviceReference())),
  }),
  checkAccessNotGranted: t.field({
    type: CheckResponseRef,
    errors: iamErrors,
    description: "Access Analyzer CheckAccessNotGranted: FAIL when the policy allows any listed action (on any listed resource).",
    args: {
      policyDocument: t.arg.string({ required: true }),
      access: t.arg({ type: [AccessInput], required: true, description: "AWS takes at most one Access object." }),
      policyType: t.arg({ type: AccessCheckPolicyTypeEnum, defaultValue: "IDENTITY_POLICY" }),
    },
    resolve: async (_root, args) => {
      if (args.access.length !== 1) throw new DomainError("ValidationError", "access: give exactly one Access object.");
      const [access] = args.access;
      const outcome = checkAccessNotGranted(args.policyDocument, { actions: access?.actions ?? [], resources: access?.resources ?? [] }, args.policyType ?? "IDENTITY_POLICY", await serviceReference());
      return answer(outcome);
    },
  }),
}));

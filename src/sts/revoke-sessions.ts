// "Revoking IAM role temporary security credentials" (id_roles_use_revoke-sessions): AWS revokes
// a role's active sessions by putting an inline policy on the role that denies everything to
// sessions whose credentials were issued before now. It is an ordinary PutRolePolicy — IAM
// state, in the event log — and works because the evaluator reads aws:TokenIssueTime from
// every session's context (src/authz/session-grant.ts). Sessions issued later are unaffected.

export const REVOKE_POLICY_NAME = "AWSRevokeOlderSessions";

export function revokeOlderSessionsPolicy(before: Date): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: ["*"], Resource: ["*"], Condition: { DateLessThan: { "aws:TokenIssueTime": before.toISOString() } } }],
  });
}

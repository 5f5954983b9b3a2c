import type { RoleSession } from "../generated/prisma/client.js";
import type { SessionCaller } from "../auth/caller.js";
import type { SessionGrant } from "../authz/session-grant.js";
import type { Tag } from "../domain/shared/tags.js";
import { compilePolicySet } from "../policy/compile.js";
import type { PolicyInEffect } from "../policy/document.js";
import { parsePolicyDocument } from "../policy/parse.js";
import type { StoredSessionPolicy } from "./session-store.js";

/** The caller a stored session authenticates as: its grant compiled once, from the record. */
export function sessionCallerOf(row: RoleSession): SessionCaller {
  const userId = `${row.roleId}:${row.sessionName}`;
  const policies = (row.sessionPolicies as unknown as StoredSessionPolicy[]).map((p): PolicyInEffect => {
    const parsed = parsePolicyDocument(p.document, "identity");
    // Checked when the session was issued; a record that no longer parses grants nothing.
    const document = parsed.ok ? parsed.document : { version: "2012-10-17" as const, statements: [] };
    return {
      source: { kind: "inline", policyName: p.name, attachedTo: { type: "role", name: row.roleName, arn: row.roleArn }, role: "identity" },
      document,
    };
  });
  const grant: SessionGrant = {
    assumedRoleArn: row.assumedRoleArn,
    roleArn: row.roleArn,
    roleName: row.roleName,
    sessionName: row.sessionName,
    userId,
    ...(policies.length > 0 ? { sessionPolicies: compilePolicySet(policies, undefined) } : {}),
    tags: row.tags as unknown as Tag[],
    transitiveTagKeys: row.transitiveTagKeys as unknown as string[],
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    ...(row.sourceIdentity !== null ? { sourceIdentity: row.sourceIdentity } : {}),
    ...(row.providerArn !== null ? { providerArn: row.providerArn } : {}),
    chained: row.chained,
  };
  return { kind: "session", arn: row.assumedRoleArn, accountId: row.accountId, userId, accessKeyId: row.accessKeyId, session: grant };
}

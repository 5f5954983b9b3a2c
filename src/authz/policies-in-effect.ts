import { inlineSourceKey, pathKey } from "../domain/permissions/effective-paths.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { PolicyDocument, PolicyInEffect, PolicySource } from "../policy/document.js";
import { parsePolicyDocument } from "../policy/parse.js";
import type { Principal } from "./principal.js";

export interface PrincipalPolicies {
  readonly identity: PolicyInEffect[];
  /** undefined when the principal has no boundary. */
  readonly boundary: PolicyInEffect[] | undefined;
  /** Each identity policy's path (pathKey of source key and group), same positions as `identity`. */
  readonly identityPaths: string[];
  /** Ids and ARNs whose change invalidates this principal's compiled set. */
  readonly dependsOn: ReadonlySet<string>;
}

/**
 * Reads the effective-policies projection for a batch of principals and resolves each row to
 * its document, in five queries whatever the batch size.
 */
export async function loadPoliciesInEffect(prisma: PrismaClient, principals: readonly Principal[]): Promise<PrincipalPolicies[]> {
  const rows = await prisma.effectivePolicy.findMany({
    where: { principalId: { in: principals.map((p) => p.id) } },
    orderBy: [{ principalId: "asc" }, { sourceKey: "asc" }, { viaGroupId: "asc" }],
  });
  const arns = [...new Set(rows.flatMap((r) => (r.policyArn ? [r.policyArn] : [])))];
  const groupIds = [...new Set(rows.map((r) => r.viaGroupId).filter((g) => g !== ""))];
  const inlineRows = rows.filter((r) => r.kind === "inline");
  const userIds = principals.filter((p) => p.type === "user").map((p) => p.id);
  const [managed, groups, inline, memberships] = await Promise.all([
    arns.length ? loadManaged(prisma, arns) : [],
    groupIds.length ? prisma.group.findMany({ where: { id: { in: groupIds } }, select: { id: true, groupName: true, arn: true } }) : [],
    inlineRows.length
      ? prisma.inlinePolicy.findMany({
          where: { OR: inlineRows.map((r) => ({ entityType: r.ownerType, entityId: r.ownerId, policyName: r.policyName })) },
        })
      : [],
    // Every group a user is in, including groups that grant nothing yet: the first policy
    // attached to (or put in) such a group must still drop the member's compiled set.
    userIds.length ? prisma.groupMembership.findMany({ where: { userId: { in: userIds } }, select: { userId: true, groupId: true } }) : [],
  ]);
  const managedByArn = new Map(managed.map((m) => [m.arn, m]));
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const inlineByKey = new Map(inline.map((i) => [inlineSourceKey(i.entityType, i.entityId, i.policyName), i.document]));

  return principals.map((principal) => {
    const identity: PolicyInEffect[] = [];
    const identityPaths: string[] = [];
    let boundary: PolicyInEffect[] | undefined;
    const dependsOn = new Set<string>([principal.id]);
    for (const m of memberships) if (m.userId === principal.id) dependsOn.add(m.groupId);
    for (const row of rows) {
      if (row.principalId !== principal.id) continue;
      const group = row.viaGroupId ? groupById.get(row.viaGroupId) : undefined;
      if (row.viaGroupId) dependsOn.add(row.viaGroupId);
      if (row.policyArn) dependsOn.add(row.policyArn);
      const attachedTo = group
        ? { type: "group" as const, name: group.groupName, arn: group.arn }
        : { type: principal.type, name: principal.name, arn: principal.arn };
      const m = row.policyArn ? managedByArn.get(row.policyArn) : undefined;
      const text = row.kind === "inline" ? inlineByKey.get(row.sourceKey) : undefined;
      const document = row.kind === "inline" ? (text === undefined ? undefined : parseCached(text)) : m?.document;
      if (!document) continue;
      const source: PolicySource = {
        kind: row.kind === "inline" ? "inline" : "managed",
        ...(row.policyArn ? { policyArn: row.policyArn } : {}),
        policyName: m?.policyName ?? row.policyName,
        ...(m ? { versionId: m.defaultVersionId } : {}),
        attachedTo,
        ...(group ? { viaGroup: { name: group.groupName, arn: group.arn } } : {}),
        role: row.kind === "boundary" ? "boundary" : "identity",
      };
      if (row.kind === "boundary") (boundary ??= []).push({ source, document });
      else {
        identity.push({ source, document });
        identityPaths.push(pathKey(row.sourceKey, row.viaGroupId));
      }
    }
    return { identity, boundary, identityPaths, dependsOn };
  });
}

interface ManagedInEffect {
  readonly arn: string;
  readonly policyName: string;
  readonly defaultVersionId: string;
  /** undefined when the version vanished between the two reads, or does not parse. */
  readonly document: PolicyDocument | undefined;
}

// A customer-managed policy version never changes once created (a new document is a new
// version), so its parsed document is kept by policy id + version id and a reload reads only
// which version is the default: re-linking a principal whose documents are known transfers no
// policy text. AWS-managed versions are re-read (the build's reference data can be re-seeded).
const versionDocuments = new Map<string, PolicyDocument>();
const maxVersionDocuments = 20_000;

/** Forgets the kept version documents (tests: a from-scratch load that reads every text). */
export function forgetVersionDocuments(): void {
  versionDocuments.clear();
}

async function loadManaged(prisma: PrismaClient, arns: readonly string[]): Promise<ManagedInEffect[]> {
  const policies = await prisma.policy.findMany({
    where: { arn: { in: [...arns] } },
    select: { id: true, arn: true, policyName: true, defaultVersionId: true, isAwsManaged: true },
  });
  const key = (policyId: string, versionId: string) => `${policyId}#${versionId}`;
  const unknown = policies.filter((p) => p.isAwsManaged || !versionDocuments.has(key(p.id, p.defaultVersionId)));
  const read = new Map<string, PolicyDocument | undefined>();
  if (unknown.length > 0) {
    const versions = await prisma.policyVersion.findMany({
      where: { OR: unknown.map((p) => ({ policyId: p.id, versionId: p.defaultVersionId })) },
      select: { policyId: true, versionId: true, document: true },
    });
    const aws = new Set(unknown.filter((p) => p.isAwsManaged).map((p) => p.id));
    for (const v of versions) {
      const document = parseCached(v.document);
      read.set(key(v.policyId, v.versionId), document);
      if (document === undefined || aws.has(v.policyId)) continue;
      if (versionDocuments.size >= maxVersionDocuments) versionDocuments.delete(versionDocuments.keys().next().value!);
      versionDocuments.set(key(v.policyId, v.versionId), document);
    }
  }
  return policies.map((p) => {
    const k = key(p.id, p.defaultVersionId);
    return { arn: p.arn, policyName: p.policyName, defaultVersionId: p.defaultVersionId, document: read.has(k) ? read.get(k) : versionDocuments.get(k) };
  });
}

// Documents were validated on write; parsing them again per principal would be wasted work, so
// each distinct text is parsed once and kept (bounded: old entries go first).
const parsed = new Map<string, PolicyDocument>();
const maxParsed = 20_000;

export function parseCached(text: string): PolicyDocument | undefined {
  let doc = parsed.get(text);
  if (doc) return doc;
  const result = parsePolicyDocument(text, "identity");
  if (!result.ok) return undefined;
  doc = result.document;
  if (parsed.size >= maxParsed) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, doc);
  return doc;
}

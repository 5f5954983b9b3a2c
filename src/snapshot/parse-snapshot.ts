import { maxAttachedPolicies } from "../domain/permissions/decide.js";
import { maxGroupsPerAccount } from "../domain/groups/decide.js";
import { maxCustomerPoliciesPerAccount, maxPolicyVersions } from "../domain/policies/decide.js";
import { maxRolesPerAccount } from "../domain/roles/decide.js";
import { entityArn } from "../domain/shared/arn.js";
import { DomainError, type ErrorCode } from "../domain/shared/domain-error.js";
import { idPrefixes, uniqueIdPattern } from "../domain/shared/ids.js";
import { checkName, checkPath, nameKey, nameLimits } from "../domain/shared/names.js";
import { raisableQuotas, type QuotaName } from "../domain/shared/quotas.js";
import { checkTags, maxTagsPerEntity, type Tag } from "../domain/shared/tags.js";
import { maxGroupsPerUser, maxUsersPerAccount } from "../domain/users/decide.js";
import { findAwsManagedPolicy } from "../policy/aws-managed-policies.js";
import { parsePolicyDocument } from "../policy/parse.js";
import { INLINE_POLICIES_SIZE_QUOTA, inlinePoliciesSize, MANAGED_POLICY_SIZE_QUOTA, policySizeWithoutWhitespace, TRUST_POLICY_SIZE_QUOTA } from "../policy/size.js";
import { awsAuthorizationDetails, jsonPath, type AwsAuthorizationDetails } from "./aws-json.js";
import { decodeDocument } from "./decode-document.js";
import { isAwsManagedArn, type AccountState, type InlinePolicy, type PolicyEntry } from "./model.js";
import { SnapshotRejected, type SnapshotProblem } from "./snapshot-rejected.js";

export interface ParseOptions {
  /**
   * An attachment or boundary naming an AWS-managed policy iamgraph does not ship: "skip" leaves
   * it out and reports it (the default: iamgraph ships few AWS-managed policies, and refusing
   * would refuse nearly every real account); "refuse" refuses the file.
   */
  readonly unknownAwsPolicies?: "skip" | "refuse";
  /** Which AWS-managed ARNs this store knows (its catalogue, IAMGRAPH_AWS_CATALOGUE); default the built-in five. */
  readonly knownAwsPolicy?: (arn: string) => boolean;
  /**
   * An element past one of iamgraph's quotas (an account whose AWS quotas were raised): "note"
   * reads it and reports it (the import then appends it with the quota noted in its event, see
   * import-snapshot.ts); "refuse" refuses the file. Default "note".
   */
  readonly overQuota?: OverQuotaMode;
}

export type OverQuotaMode = "note" | "refuse";

/** One element of the file past one of iamgraph's quotas. */
export interface OverQuota {
  /** Where: `$.RoleDetailList[4].AttachedManagedPolicies`. */
  readonly path: string;
  readonly quota: QuotaName;
  /** iamgraph's quota, which is AWS's default. */
  readonly awsDefault: number;
  /** What the element holds. */
  readonly found: number;
  /** AWS raises this quota on request; a fixed one exceeded means the file was edited or counts differently. */
  readonly raisable: boolean;
}

export interface UnknownAwsPolicy {
  readonly arn: string;
  /** Where the file names it. */
  readonly path: string;
}

export interface ParsedSnapshot {
  readonly state: AccountState;
  /** AWS-managed policies named in the file that iamgraph does not know; left out of `state`. */
  readonly unknownAwsPolicies: readonly UnknownAwsPolicy[];
  /** Elements past iamgraph's quotas (in `state` unless the file was refused for them). */
  readonly overQuota: readonly OverQuota[];
}

/**
 * Reads a get-account-authorization-details file into an account state, checking everything the
 * commands would check — names, paths, tags, documents, references, quotas — so that a bad file is
 * refused whole, every bad element named by its JSON path, before anything is written.
 */
export function parseSnapshot(text: string, options: ParseOptions = {}): ParsedSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SnapshotRejected([{ path: "$", code: "InvalidInput", message: `the file is not valid JSON (truncated?): ${(err as Error).message}` }]);
  }
  const shaped = awsAuthorizationDetails.safeParse(json);
  if (!shaped.success) {
    throw new SnapshotRejected(shaped.error.issues.map((i) => ({ path: jsonPath(i.path), code: "InvalidInput", message: i.message })));
  }
  return new Reader(shaped.data, options).read();
}

class Reader {
  readonly problems: SnapshotProblem[] = [];
  readonly unknown: UnknownAwsPolicy[] = [];
  readonly overQuota: OverQuota[] = [];
  accountId: string | undefined;

  constructor(
    readonly file: AwsAuthorizationDetails,
    readonly options: ParseOptions,
  ) {}

  problem(path: string, code: ErrorCode, message: string): void {
    this.problems.push({ path, code, message });
  }

  /** An element's size or count against one of iamgraph's quotas: past it, reported — and a problem when such files are refused. */
  quota(path: string, quota: QuotaName, limit: number, found: number, what: string): void {
    if (found <= limit) return;
    const raisable = raisableQuotas.has(quota);
    this.overQuota.push({ path, quota, awsDefault: limit, found, raisable });
    if (this.options.overQuota !== "refuse") return;
    const aws = raisable ? "AWS raises it on request" : "fixed in AWS";
    this.problem(path, "LimitExceeded", `${found} ${what}; iamgraph's quota ${quota} is ${limit}, AWS's default (${aws}); --over-quota note imports it with the quota noted`);
  }

  /** Ids, and names ignoring case, are unique in an account: a second holder of either is refused at its path. */
  unique(list: string, entries: readonly (readonly [id: string, name: string] | undefined)[], nameField: string): void {
    const ids = new Map<string, number>();
    const names = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!e) return;
      const [id, name] = e;
      const sameId = ids.get(id);
      const sameName = names.get(nameKey(name));
      if (sameId !== undefined) this.problem(`$.${list}[${i}]`, "InvalidInput", `id ${id} is also $.${list}[${sameId}]'s`);
      if (sameName !== undefined) this.problem(`$.${list}[${i}].${nameField}`, "InvalidInput", `${name} is also $.${list}[${sameName}]'s name (names are unique in an account, ignoring case)`);
      ids.set(id, sameId ?? i);
      names.set(nameKey(name), sameName ?? i);
    });
  }

  /** Runs a domain check, turning its refusal into a problem at the path. */
  check(path: string, body: () => void): void {
    try {
      body();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.problem(path, err.code, err.message);
    }
  }

  read(): ParsedSnapshot {
    const f = this.file;
    if (f.IsTruncated) this.problem("$.IsTruncated", "InvalidInput", "the file is one page of a paginated answer; export with the AWS CLI, which fetches every page");
    const policies = f.Policies.flatMap((p, i) => (isAwsManagedArn(p.Arn) ? [] : [this.policy(p, `$.Policies[${i}]`)]));
    const customerArns = new Set(policies.map((p) => p.arn));
    const groupIds = new Map(f.GroupDetailList.map((g) => [g.GroupName, g.GroupId]));
    const managed = (list: { PolicyArn: string }[], path: string, kind: "user" | "group" | "role"): string[] => {
      const quota = ({ user: "AttachedPoliciesPerUserQuota", group: "AttachedPoliciesPerGroupQuota", role: "AttachedPoliciesPerRoleQuota" } as const)[kind];
      this.quota(path, quota, maxAttachedPolicies, list.length, "attached policies");
      return list.flatMap((a, i) => (this.policyRef(a.PolicyArn, `${path}[${i}].PolicyArn`, customerArns) ? [a.PolicyArn] : []));
    };
    const boundaryOf = (b: { PermissionsBoundaryArn: string } | undefined, path: string) =>
      b && this.policyRef(b.PermissionsBoundaryArn, `${path}.PermissionsBoundaryArn`, customerArns) ? { boundary: b.PermissionsBoundaryArn } : {};

    const users = f.UserDetailList.map((u, i) => {
      const at = `$.UserDetailList[${i}]`;
      this.entity("user", u.UserId, u.UserName, u.Path, u.Arn, at);
      this.quota(`${at}.GroupList`, "GroupsPerUserQuota", maxGroupsPerUser, u.GroupList.length, "groups");
      const groups = u.GroupList.flatMap((name, j) => {
        const id = groupIds.get(name);
        if (!id) this.problem(`${at}.GroupList[${j}]`, "NoSuchEntity", `group ${name} is not in GroupDetailList`);
        return id ? [id] : [];
      });
      return {
        id: u.UserId, name: u.UserName, path: u.Path, arn: u.Arn, createDate: this.date(u.CreateDate, `${at}.CreateDate`),
        attached: managed(u.AttachedManagedPolicies, `${at}.AttachedManagedPolicies`, "user"),
        inline: this.inline(u.UserPolicyList, `${at}.UserPolicyList`, "user"),
        groups, tags: this.tags(u.Tags, `${at}.Tags`, "TagsPerUser"), ...boundaryOf(u.PermissionsBoundary, `${at}.PermissionsBoundary`),
      };
    });
    const groups = f.GroupDetailList.map((g, i) => {
      const at = `$.GroupDetailList[${i}]`;
      this.entity("group", g.GroupId, g.GroupName, g.Path, g.Arn, at);
      return {
        id: g.GroupId, name: g.GroupName, path: g.Path, arn: g.Arn, createDate: this.date(g.CreateDate, `${at}.CreateDate`),
        attached: managed(g.AttachedManagedPolicies, `${at}.AttachedManagedPolicies`, "group"),
        inline: this.inline(g.GroupPolicyList, `${at}.GroupPolicyList`, "group"),
      };
    });
    const roles = f.RoleDetailList.map((r, i) => {
      const at = `$.RoleDetailList[${i}]`;
      this.entity("role", r.RoleId, r.RoleName, r.Path, r.Arn, at);
      const trustPolicy = this.document(r.AssumeRolePolicyDocument, `${at}.AssumeRolePolicyDocument`, "trust", ["AssumeRolePolicySizeQuota", TRUST_POLICY_SIZE_QUOTA]);
      return {
        id: r.RoleId, name: r.RoleName, path: r.Path, arn: r.Arn, createDate: this.date(r.CreateDate, `${at}.CreateDate`), trustPolicy,
        attached: managed(r.AttachedManagedPolicies, `${at}.AttachedManagedPolicies`, "role"),
        inline: this.inline(r.RolePolicyList, `${at}.RolePolicyList`, "role"),
        tags: this.tags(r.Tags, `${at}.Tags`, "TagsPerRole"), ...boundaryOf(r.PermissionsBoundary, `${at}.PermissionsBoundary`),
      };
    });
    this.unique("UserDetailList", f.UserDetailList.map((u) => [u.UserId, u.UserName]), "UserName");
    this.unique("GroupDetailList", f.GroupDetailList.map((g) => [g.GroupId, g.GroupName]), "GroupName");
    this.unique("RoleDetailList", f.RoleDetailList.map((r) => [r.RoleId, r.RoleName]), "RoleName");
    this.unique("Policies", f.Policies.map((p) => (isAwsManagedArn(p.Arn) ? undefined : [p.PolicyId, p.PolicyName])), "PolicyName");
    const counts = [
      ["UserDetailList", users.length, maxUsersPerAccount, "UsersQuota"],
      ["GroupDetailList", groups.length, maxGroupsPerAccount, "GroupsQuota"],
      ["RoleDetailList", roles.length, maxRolesPerAccount, "RolesQuota"],
      ["Policies", policies.length, maxCustomerPoliciesPerAccount, "PoliciesQuota"],
    ] as const;
    for (const [list, n, limit, quota] of counts) this.quota(`$.${list}`, quota, limit, n, "entries");
    if (this.options.unknownAwsPolicies === "refuse") {
      for (const u of this.unknown) this.problem(u.path, "NoSuchEntity", `${u.arn} is an AWS-managed policy iamgraph does not know`);
    }
    if (!this.accountId && this.problems.length === 0) this.problem("$", "InvalidInput", "the file holds no entity, so no account id");
    if (this.problems.length > 0) throw new SnapshotRejected(this.problems);
    return { state: { accountId: this.accountId!, users, groups, roles, policies }, unknownAwsPolicies: this.unknown, overQuota: this.overQuota };
  }

  /** Id, name, path and ARN of a user, group or role (or policy): AWS's shapes, one account. */
  entity(kind: "user" | "group" | "role" | "policy", id: string, name: string, path: string, arn: string, at: string): void {
    const field = `${kind}Name` as const;
    if (!uniqueIdPattern.test(id) || !id.startsWith(idPrefixes[kind])) this.problem(at, "InvalidInput", `${id} is not an AWS ${kind} id (${idPrefixes[kind]}…)`);
    this.check(`${at}.${kind === "policy" ? "PolicyName" : `${kind[0]!.toUpperCase()}${kind.slice(1)}Name`}`, () => checkName(field, name, nameLimits[kind]));
    this.check(`${at}.Path`, () => checkPath("path", path));
    const account = /^arn:aws:iam::(\d{12}):/.exec(arn)?.[1];
    if (!account) return this.problem(`${at}.Arn`, "InvalidInput", `${arn} is not an IAM ARN of an account`);
    this.accountId ??= account;
    if (account !== this.accountId) return this.problem(`${at}.Arn`, "InvalidInput", `account ${account}, but the file is account ${this.accountId}'s`);
    if (arn !== entityArn(account, kind, path, name)) this.problem(`${at}.Arn`, "InvalidInput", `${arn} does not match its path and name`);
  }

  policy(p: AwsAuthorizationDetails["Policies"][number], at: string): PolicyEntry {
    this.entity("policy", p.PolicyId, p.PolicyName, p.Path, p.Arn, at);
    this.quota(`${at}.PolicyVersionList`, "VersionsPerPolicyQuota", maxPolicyVersions, p.PolicyVersionList.length, "versions");
    const versions = p.PolicyVersionList.map((v, i) => ({
      versionId: v.VersionId,
      document: this.document(v.Document, `${at}.PolicyVersionList[${i}].Document`, "managed", ["PolicySizeQuota", MANAGED_POLICY_SIZE_QUOTA]),
      createDate: this.date(v.CreateDate, `${at}.PolicyVersionList[${i}].CreateDate`),
    }));
    if (!versions.some((v) => v.versionId === p.DefaultVersionId)) this.problem(`${at}.DefaultVersionId`, "NoSuchEntity", `version ${p.DefaultVersionId} is not in PolicyVersionList`);
    versions.sort((a, b) => versionOrder(a.versionId) - versionOrder(b.versionId));
    for (const [i, v] of versions.entries()) if (!/^v[1-9]\d*$/.test(v.versionId)) this.problem(`${at}.PolicyVersionList[${i}].VersionId`, "InvalidInput", `${v.versionId} is not v<n>`);
    return { id: p.PolicyId, name: p.PolicyName, path: p.Path, arn: p.Arn, createDate: this.date(p.CreateDate, `${at}.CreateDate`), description: p.Description ?? "", defaultVersionId: p.DefaultVersionId, versions };
  }

  /** A customer policy must be in the file; an AWS-managed one must be known to iamgraph, or is reported. */
  policyRef(arn: string, at: string, customerArns: ReadonlySet<string>): boolean {
    if (isAwsManagedArn(arn)) {
      if ((this.options.knownAwsPolicy ?? ((a: string) => findAwsManagedPolicy(a) !== undefined))(arn)) return true;
      this.unknown.push({ arn, path: at });
      return false;
    }
    if (!customerArns.has(arn)) this.problem(at, "NoSuchEntity", `policy ${arn} is not in Policies`);
    return customerArns.has(arn);
  }

  inline(list: { PolicyName: string; PolicyDocument: string | Record<string, unknown> }[], at: string, kind: "user" | "group" | "role"): InlinePolicy[] {
    const out = list.map((p, i) => {
      this.check(`${at}[${i}].PolicyName`, () => checkName("policyName", p.PolicyName, nameLimits.policy));
      return { policyName: p.PolicyName, document: this.document(p.PolicyDocument, `${at}[${i}].PolicyDocument`, "inline") };
    });
    const quota = ({ user: "UserPolicySizeQuota", group: "GroupPolicySizeQuota", role: "RolePolicySizeQuota" } as const)[kind];
    // AWS sums the entity's inline policies, whitespace not counted.
    this.quota(at, quota, INLINE_POLICIES_SIZE_QUOTA[kind], inlinePoliciesSize(out.map((p) => p.document)), "characters of inline policies");
    return out;
  }

  /** A document as text; `sizeQuota` for a document with a quota of its own (inline ones are summed per entity). */
  document(value: string | Record<string, unknown>, at: string, kind: "managed" | "inline" | "trust", sizeQuota?: readonly [QuotaName, number]): string {
    let text: string;
    try {
      text = decodeDocument(value);
    } catch (err) {
      this.problem(at, "MalformedPolicyDocument", (err as Error).message);
      return "";
    }
    const parsed = parsePolicyDocument(text, kind === "trust" ? "trust" : "identity", kind === "managed" ? { managed: true } : {});
    if (!parsed.ok) this.problem(at, parsed.code === "ValidationError" ? "InvalidInput" : "MalformedPolicyDocument", parsed.reason);
    else if (sizeQuota) this.quota(at, sizeQuota[0], sizeQuota[1], policySizeWithoutWhitespace(text), "characters");
    return text;
  }

  tags(list: { Key: string; Value: string }[], at: string, quota: "TagsPerUser" | "TagsPerRole"): Tag[] {
    const tags = list.map((t) => ({ key: t.Key, value: t.Value }));
    this.check(at, () => checkTags(tags));
    this.quota(at, quota, maxTagsPerEntity, tags.length, "tags");
    return tags;
  }

  date(value: string | undefined, at: string): string {
    if (value === undefined) {
      this.problem(at, "InvalidInput", "Invalid input: expected string, received undefined");
      return "";
    }
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) this.problem(at, "InvalidInput", `${value} is not a date`);
    return Number.isNaN(d.getTime()) ? value : d.toISOString();
  }
}

const versionOrder = (versionId: string): number => Number(/^v(\d+)$/.exec(versionId)?.[1] ?? Number.MAX_SAFE_INTEGER);

import { maxAttachedPolicies } from "../domain/permissions/decide.js";
import { maxGroupsPerAccount } from "../domain/groups/decide.js";
import { maxCustomerPoliciesPerAccount, maxPolicyVersions } from "../domain/policies/decide.js";
import { maxRolesPerAccount } from "../domain/roles/decide.js";
import { entityArn } from "../domain/shared/arn.js";
import { DomainError, type ErrorCode } from "../domain/shared/domain-error.js";
import { idPrefixes, uniqueIdPattern } from "../domain/shared/ids.js";
import { checkName, checkPath, nameLimits } from "../domain/shared/names.js";
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
  accountId: string | undefined;

  constructor(
    readonly file: AwsAuthorizationDetails,
    readonly options: ParseOptions,
  ) {}

  problem(path: string, code: ErrorCode, message: string): void {
    this.problems.push({ path, code, message });
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
      if (list.length > maxAttachedPolicies) this.problem(path, "LimitExceeded", `${list.length} attached policies; iamgraph's quota is ${maxAttachedPolicies} per ${kind}`);
      return list.flatMap((a, i) => (this.policyRef(a.PolicyArn, `${path}[${i}].PolicyArn`, customerArns) ? [a.PolicyArn] : []));
    };
    const boundaryOf = (b: { PermissionsBoundaryArn: string } | undefined, path: string) =>
      b && this.policyRef(b.PermissionsBoundaryArn, `${path}.PermissionsBoundaryArn`, customerArns) ? { boundary: b.PermissionsBoundaryArn } : {};

    const users = f.UserDetailList.map((u, i) => {
      const at = `$.UserDetailList[${i}]`;
      this.entity("user", u.UserId, u.UserName, u.Path, u.Arn, at);
      if (u.GroupList.length > maxGroupsPerUser) this.problem(`${at}.GroupList`, "LimitExceeded", `in ${u.GroupList.length} groups; iamgraph's quota is ${maxGroupsPerUser}`);
      const groups = u.GroupList.flatMap((name, j) => {
        const id = groupIds.get(name);
        if (!id) this.problem(`${at}.GroupList[${j}]`, "NoSuchEntity", `group ${name} is not in GroupDetailList`);
        return id ? [id] : [];
      });
      return {
        id: u.UserId, name: u.UserName, path: u.Path, arn: u.Arn, createDate: this.date(u.CreateDate, `${at}.CreateDate`),
        attached: managed(u.AttachedManagedPolicies, `${at}.AttachedManagedPolicies`, "user"),
        inline: this.inline(u.UserPolicyList, `${at}.UserPolicyList`, "user"),
        groups, tags: this.tags(u.Tags, `${at}.Tags`), ...boundaryOf(u.PermissionsBoundary, `${at}.PermissionsBoundary`),
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
      const trustPolicy = this.document(r.AssumeRolePolicyDocument, `${at}.AssumeRolePolicyDocument`, "trust", TRUST_POLICY_SIZE_QUOTA);
      return {
        id: r.RoleId, name: r.RoleName, path: r.Path, arn: r.Arn, createDate: this.date(r.CreateDate, `${at}.CreateDate`), trustPolicy,
        attached: managed(r.AttachedManagedPolicies, `${at}.AttachedManagedPolicies`, "role"),
        inline: this.inline(r.RolePolicyList, `${at}.RolePolicyList`, "role"),
        tags: this.tags(r.Tags, `${at}.Tags`), ...boundaryOf(r.PermissionsBoundary, `${at}.PermissionsBoundary`),
      };
    });
    const counts = [
      ["UserDetailList", users.length, maxUsersPerAccount, "UsersPerAccount"],
      ["GroupDetailList", groups.length, maxGroupsPerAccount, "GroupsPerAccount"],
      ["RoleDetailList", roles.length, maxRolesPerAccount, "RolesPerAccount"],
      ["Policies", policies.length, maxCustomerPoliciesPerAccount, "PoliciesPerAccount"],
    ] as const;
    for (const [list, n, quota, name] of counts) if (n > quota) this.problem(`$.${list}`, "LimitExceeded", `${n} entries; iamgraph's quota ${name} is ${quota}`);
    if (this.options.unknownAwsPolicies === "refuse") {
      for (const u of this.unknown) this.problem(u.path, "NoSuchEntity", `${u.arn} is an AWS-managed policy iamgraph does not know`);
    }
    if (!this.accountId && this.problems.length === 0) this.problem("$", "InvalidInput", "the file holds no entity, so no account id");
    if (this.problems.length > 0) throw new SnapshotRejected(this.problems);
    return { state: { accountId: this.accountId!, users, groups, roles, policies }, unknownAwsPolicies: this.unknown };
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
    if (p.PolicyVersionList.length > maxPolicyVersions) {
      this.problem(`${at}.PolicyVersionList`, "LimitExceeded", `${p.PolicyVersionList.length} versions; iamgraph's quota is ${maxPolicyVersions}`);
    }
    const versions = p.PolicyVersionList.map((v, i) => ({
      versionId: v.VersionId,
      document: this.document(v.Document, `${at}.PolicyVersionList[${i}].Document`, "managed", MANAGED_POLICY_SIZE_QUOTA),
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
      return { policyName: p.PolicyName, document: this.document(p.PolicyDocument, `${at}[${i}].PolicyDocument`, "inline", Infinity) };
    });
    const size = inlinePoliciesSize(out.map((p) => p.document));
    if (size > INLINE_POLICIES_SIZE_QUOTA[kind]) this.problem(at, "LimitExceeded", `inline policies of ${size} characters; iamgraph's quota is ${INLINE_POLICIES_SIZE_QUOTA[kind]} per ${kind}`);
    return out;
  }

  document(value: string | Record<string, unknown>, at: string, kind: "managed" | "inline" | "trust", quota: number): string {
    let text: string;
    try {
      text = decodeDocument(value);
    } catch (err) {
      this.problem(at, "MalformedPolicyDocument", (err as Error).message);
      return "";
    }
    const parsed = parsePolicyDocument(text, kind === "trust" ? "trust" : "identity", kind === "managed" ? { managed: true } : {});
    if (!parsed.ok) this.problem(at, parsed.code === "ValidationError" ? "InvalidInput" : "MalformedPolicyDocument", parsed.reason);
    else if (policySizeWithoutWhitespace(text) > quota) this.problem(at, "LimitExceeded", `${policySizeWithoutWhitespace(text)} characters; iamgraph's quota is ${quota}`);
    return text;
  }

  tags(list: { Key: string; Value: string }[], at: string): Tag[] {
    const tags = list.map((t) => ({ key: t.Key, value: t.Value }));
    this.check(at, () => checkTags(tags));
    if (tags.length > maxTagsPerEntity) this.problem(at, "LimitExceeded", `${tags.length} tags; the quota is ${maxTagsPerEntity}`);
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

import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { loadConfig } from "../../src/config/config.js";
import { seedAwsManagedPolicies } from "../../src/app/seed-aws-managed.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { resetDatabase } from "../support/reset-database.js";
import { importAccountSnapshot, type ImportOptions, type ImportReport } from "../../src/snapshot/import-snapshot.js";
import type { Backend, TestDatabase } from "../support/databases.js";
import { fetchClient, type GraphQLClient } from "../support/graphql.js";
import { testEnv } from "../support/root-key.js";

export const fixtureAccount = "111122223333";
export const smallAccountFile = path.join(import.meta.dirname, "../fixtures/aws/small-account.json");
export const readSmallAccount = (): string => fs.readFileSync(smallAccountFile, "utf8");

/** A running iamgraph of the given account over a fresh test database, and the import as the CLI runs it in-process. */
export interface SnapshotApp {
  readonly app: Iamgraph;
  readonly db: TestDatabase;
  readonly client: GraphQLClient;
  clientWith(accessKeyId: string, secretAccessKey: string): GraphQLClient;
  importText(text: string, options?: Partial<ImportOptions>): Promise<ImportReport>;
  eventCount(): Promise<number>;
  /** Empties the store back to a fresh start's: no events, the built-in AWS policies seeded. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startSnapshotApp(backend: Backend, accountId = fixtureAccount): Promise<SnapshotApp> {
  const db = await backend.open();
  const app = await startIamgraph(loadConfig({ ...testEnv, IAMGRAPH_ACCOUNT_ID: accountId }), { db, migrate: false, logger: pino({ level: "silent" }) });
  return {
    app,
    db,
    client: fetchClient(app.yoga),
    clientWith: (id, secret) => fetchClient(app.yoga, basicAuthorization(id, secret)),
    importText: (text, options = {}) => importAccountSnapshot({ pipeline: app.commands, db: db.prisma, accountId }, text, { source: "test.json", ...options }),
    eventCount: () => db.prisma.event.count(),
    async reset() {
      await resetDatabase(db.sql);
      await seedAwsManagedPolicies(db.prisma);
    },
    async close() {
      await app.close();
      await db.dispose();
    },
  };
}

/** The parts of a get-account-authorization-details answer that are the account's state, in a canonical order (AWS-computed fields left out). */
export function comparable(details: any): unknown {
  const byKey = (key: string) => (a: any, b: any) => String(a[key]).localeCompare(String(b[key]));
  const date = (d: string | undefined) => (d ? new Date(d).toISOString() : undefined);
  const doc = (d: unknown) => (typeof d === "string" ? JSON.parse(decodeURIComponent(d)) : d);
  const inline = (list: any[] = []) => list.map((p) => ({ name: p.PolicyName, doc: doc(p.PolicyDocument) })).sort(byKey("name"));
  const arns = (list: any[] = []) => list.map((a) => a.PolicyArn).sort();
  const tags = (list: any[] = []) => list.map((t) => `${t.Key}=${t.Value}`).sort();
  return {
    users: details.UserDetailList.map((u: any) => ({
      id: u.UserId, name: u.UserName, path: u.Path, arn: u.Arn, created: date(u.CreateDate), inline: inline(u.UserPolicyList),
      groups: [...u.GroupList].sort(), attached: arns(u.AttachedManagedPolicies), boundary: u.PermissionsBoundary?.PermissionsBoundaryArn ?? null, tags: tags(u.Tags),
    })).sort(byKey("id")),
    groups: details.GroupDetailList.map((g: any) => ({
      id: g.GroupId, name: g.GroupName, path: g.Path, arn: g.Arn, created: date(g.CreateDate), inline: inline(g.GroupPolicyList), attached: arns(g.AttachedManagedPolicies),
    })).sort(byKey("id")),
    roles: details.RoleDetailList.map((r: any) => ({
      id: r.RoleId, name: r.RoleName, path: r.Path, arn: r.Arn, created: date(r.CreateDate), trust: doc(r.AssumeRolePolicyDocument), inline: inline(r.RolePolicyList),
      attached: arns(r.AttachedManagedPolicies), boundary: r.PermissionsBoundary?.PermissionsBoundaryArn ?? null, tags: tags(r.Tags),
    })).sort(byKey("id")),
    // AWS-managed policies are reference data: compared by ARN only.
    awsManaged: details.Policies.filter((p: any) => p.Arn.startsWith("arn:aws:iam::aws:")).map((p: any) => p.Arn).sort(),
    policies: details.Policies.filter((p: any) => !p.Arn.startsWith("arn:aws:iam::aws:")).map((p: any) => ({
      id: p.PolicyId, name: p.PolicyName, path: p.Path, arn: p.Arn, created: date(p.CreateDate), description: p.Description ?? "", default: p.DefaultVersionId,
      versions: p.PolicyVersionList.map((v: any) => ({ id: v.VersionId, doc: doc(v.Document), created: date(v.CreateDate), isDefault: v.IsDefaultVersion })).sort(byKey("id")),
    })).sort(byKey("id")),
  };
}

/** The GraphQL accountAuthorizationDetails selection that covers what `comparable` compares. */
export const detailsSelection = `
  userDetailList { path userName userId arn createDate userPolicyList { policyName policyDocument } groupList attachedManagedPolicies { policyName policyArn } permissionsBoundary { permissionsBoundaryArn } tags { key value } }
  groupDetailList { path groupName groupId arn createDate groupPolicyList { policyName policyDocument } attachedManagedPolicies { policyName policyArn } }
  roleDetailList { path roleName roleId arn createDate assumeRolePolicyDocument rolePolicyList { policyName policyDocument } attachedManagedPolicies { policyName policyArn } permissionsBoundary { permissionsBoundaryArn } tags { key value } }
  policies { policyName policyId arn path defaultVersionId description createDate policyVersionList { document versionId isDefaultVersion createDate } }`;

/** GraphQL's camelCase field names as AWS's PascalCase ones (`userDetailList` → `UserDetailList`). */
export function pascalCase(value: unknown): any {
  if (Array.isArray(value)) return value.map(pascalCase);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalCase(v)]));
}

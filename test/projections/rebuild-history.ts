import type { Command } from "../../src/app/command.js";
import type { SqlRunner } from "../../src/db/sql-runner.js";
import { DomainError } from "../../src/domain/shared/domain-error.js";
import { projections } from "../../src/projections/inline-projector.js";
import type { Iamgraph } from "../../src/runtime.js";
import { prng } from "../support/prng.js";

/** Every table a rebuild writes: the projections' tables (so a new read model is compared too). */
export const projectionTables = projections.flatMap((p) => p.tables);

/** Each table's rows as sorted JSON text: equal snapshots mean equal contents, column by column. */
export async function snapshot(sql: SqlRunner, tables: readonly string[] = projectionTables): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await sql.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${table} t`);
    out[table] = rows.map((x) => x.r).sort();
  }
  return out;
}

const account = "123456789012";
const allow = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const trust = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const users = ["u0", "u1", "u2", "u3", "u4", "U5"];
const groups = ["g0", "g1", "g2"];
const roles = ["r0", "r1"];
const policies = ["p0", "p1", "p2", "p3"];
const policyArn = (name: string) => `arn:aws:iam::${account}:policy/${name}`;
const accessKeys = ["AKIAREBUILDTEST00001", "AKIAREBUILDTEST00002", "AKIAREBUILDTEST00003", "AKIAREBUILDTEST00004"];
const oidcHosts = ["idp.example.com", "ci.example.com/org"];
const clientIds = ["c0", "c1", "c2"];
const oidcArn = (host: string) => `arn:aws:iam::${account}:oidc-provider/${host}`;
const awsManaged = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"];

/**
 * A random command over a few names, so creations, renames, tags, memberships, attachments,
 * versions, boundaries and deletions collide with each other often. Many are refused by the
 * deciders (a name taken, a holder still attached): those append nothing.
 */
export function randomCommand(r: ReturnType<typeof prng>): Command {
  const kind = r.pick(["user", "user", "group", "role"] as const);
  const holder = kind === "user" ? r.pick(users) : kind === "group" ? r.pick(groups) : r.pick(roles);
  const anyPolicy = () => (r.next() < 0.25 ? r.pick(awsManaged) : policyArn(r.pick(policies)));
  const tags = () => r.some(["Team", "team", "env", "cost"], 2).map((key) => ({ key, value: `v${r.int(3)}` }));
  const bounded = r.pick(["user", "role"] as const);
  const boundedName = bounded === "user" ? r.pick(users) : r.pick(roles);
  const table: [number, () => Command][] = [
    [6, () => ({ type: "CreateUser", userName: r.pick(users), path: r.pick(["/", "/ops/"]), tags: tags() })],
    [3, () => ({ type: "CreateGroup", groupName: r.pick(groups), path: "/" })],
    [2, () => ({ type: "CreateRole", roleName: r.pick(roles), path: "/", assumeRolePolicyDocument: trust("ec2.amazonaws.com"), description: "d", maxSessionDuration: 3600, tags: tags() })],
    [3, () => ({ type: "CreatePolicy", policyName: r.pick(policies), path: "/", policyDocument: allow("s3:GetObject"), description: "", tags: tags() })],
    [2, () => ({ type: "UpdateUser", userName: r.pick(users), newUserName: r.pick(users), newPath: r.pick(["/", "/x/"]) })],
    [1, () => ({ type: "UpdateGroup", groupName: r.pick(groups), newPath: r.pick(["/", "/y/"]) })],
    [1, () => ({ type: "UpdateAssumeRolePolicy", roleName: r.pick(roles), policyDocument: trust("lambda.amazonaws.com") })],
    [3, () => ({ type: "TagUser", userName: r.pick(users), tags: tags() })],
    [2, () => ({ type: "UntagUser", userName: r.pick(users), tagKeys: r.some(["TEAM", "env"], 2) })],
    [2, () => ({ type: "TagRole", roleName: r.pick(roles), tags: tags() })],
    [1, () => ({ type: "UntagRole", roleName: r.pick(roles), tagKeys: r.some(["TEAM", "env"], 2) })],
    [2, () => ({ type: "TagPolicy", policyArn: policyArn(r.pick(policies)), tags: tags() })],
    [1, () => ({ type: "UntagPolicy", policyArn: policyArn(r.pick(policies)), tagKeys: ["team"] })],
    [10, () => ({ type: "AddUserToGroup", userName: r.pick(users), groupName: r.pick(groups) })],
    [4, () => ({ type: "RemoveUserFromGroup", userName: r.pick(users), groupName: r.pick(groups) })],
    [10, () => ({ type: "AttachPolicy", entityType: kind, entityName: holder, policyArn: anyPolicy() })],
    [4, () => ({ type: "DetachPolicy", entityType: kind, entityName: holder, policyArn: anyPolicy() })],
    [6, () => ({ type: "PutInlinePolicy", entityType: kind, entityName: holder, policyName: r.pick(["i0", "i1"]), policyDocument: allow(`ec2:A${r.int(3)}`) })],
    [3, () => ({ type: "DeleteInlinePolicy", entityType: kind, entityName: holder, policyName: r.pick(["i0", "i1"]) })],
    [4, () => ({ type: "PutPermissionsBoundary", entityType: bounded, entityName: boundedName, policyArn: anyPolicy() })],
    [2, () => ({ type: "DeletePermissionsBoundary", entityType: bounded, entityName: boundedName })],
    [3, () => ({ type: "CreatePolicyVersion", policyArn: policyArn(r.pick(policies)), policyDocument: allow(`sqs:A${r.int(9)}`), setAsDefault: r.next() < 0.5 })],
    [2, () => ({ type: "SetDefaultPolicyVersion", policyArn: policyArn(r.pick(policies)), versionId: `v${1 + r.int(3)}` })],
    [2, () => ({ type: "DeletePolicyVersion", policyArn: policyArn(r.pick(policies)), versionId: `v${1 + r.int(3)}` })],
    [3, () => ({ type: "CreateAccessKey", userName: r.pick(users), accessKeyId: r.pick(accessKeys) })],
    [2, () => ({ type: "UpdateAccessKey", userName: r.pick(users), accessKeyId: r.pick(accessKeys), status: r.pick(["Active", "Inactive"] as const) })],
    [1, () => ({ type: "DeleteAccessKey", userName: r.pick(users), accessKeyId: r.pick(accessKeys) })],
    [2, () => ({ type: "DeleteUser", userName: r.pick(users) })],
    [1, () => ({ type: "DeleteGroup", groupName: r.pick(groups) })],
    [1, () => ({ type: "DeleteRole", roleName: r.pick(roles) })],
    [1, () => ({ type: "DeletePolicy", policyArn: policyArn(r.pick(policies)) })],
    [2, () => ({ type: "CreateOpenIDConnectProvider", url: `https://${r.pick(oidcHosts)}`, clientIds: r.some(clientIds, 2), thumbprints: [], tags: tags() })],
    [2, () => ({ type: "AddClientIDToOpenIDConnectProvider", providerArn: oidcArn(r.pick(oidcHosts)), clientId: r.pick(clientIds) })],
    [1, () => ({ type: "RemoveClientIDFromOpenIDConnectProvider", providerArn: oidcArn(r.pick(oidcHosts)), clientId: r.pick(clientIds) })],
    [1, () => ({ type: "UpdateOpenIDConnectProviderThumbprint", providerArn: oidcArn(r.pick(oidcHosts)), thumbprints: [r.pick(["a", "b"]).repeat(40)] })],
    [1, () => ({ type: "DeleteOpenIDConnectProvider", providerArn: oidcArn(r.pick(oidcHosts)) })],
  ];
  const total = table.reduce((s, [w]) => s + w, 0);
  let x = r.next() * total;
  for (const [w, make] of table) if ((x -= w) < 0) return make();
  return table[0]![1]();
}

/** Runs `count` random commands; returns how many appended events (were accepted). */
export async function randomHistory(app: Iamgraph, seed: number, count: number): Promise<number> {
  const r = prng(seed);
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    try {
      await app.commands.handle(randomCommand(r), { actor: `arn:aws:iam::${account}:user/admin` });
      accepted++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }
  return accepted;
}

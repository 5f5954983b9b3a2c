// Resource-based policies in Access Analyzer's checks (policyType RESOURCE_POLICY): an S3 bucket
// policy, a KMS key policy, a role's trust policy. Who gets the access is part of the answer, so
// the comparison runs once per class of principals:
//
// 1. Principals: every principal either policy names (an account, a user, a role — standing for
//    its sessions —, a session, a service, a web identity provider), plus, for each account
//    named, a principal of it that no policy names, and a principal of each kind from nowhere
//    any policy names (an AWS principal of an unnamed account, an unnamed service, an unnamed
//    provider). Each stands for every principal the policies cannot tell apart from it.
// 2. For each, each policy is read as the identity policy that principal gets from it: the
//    statements whose Principal names it, or whose NotPrincipal does not (trust-policy.ts's
//    matching, one rule for both), without their Principal element; a statement without
//    Resource applies to the resource the policy is attached to, any resource here.
// 3. new-access.ts compares the two, as for identity policies; the reasons name the principal.
//
// Principals that read both policies alike give the same answer: one of them is compared.
// Conservative where it cannot be exact: a CanonicalUser principal (S3's legacy ids, which
// iamgraph does not model) in a statement of the checked policy is reported as undecided new
// access (FAIL), never as PASS; condition keys about the principal (aws:PrincipalArn, …) take
// their candidate values independently of the principal in hand, which can only add FAILs.

import type { PolicyDocument, PolicyStatement, PrincipalSpec } from "../document.js";
import type { ServiceReference } from "../service-reference.js";
import { principalMatches, type TrustCaller } from "../trust-policy.js";
import { newAccess, type NewAccess } from "./new-access.js";

/** A principal standing for its class, and how a reason names it. */
export interface PrincipalWitness {
  readonly caller: TrustCaller;
  readonly label: string;
}

/** New access, and the principal it is granted to. */
export interface ResourcePolicyNewAccess extends NewAccess {
  readonly principal: string;
}

const USER_OR_ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;
const SESSION = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ACCOUNT = /^(?:(\d{12})|arn:aws[a-z-]*:iam::(\d{12}):root)$/;
const UNNAMED = "iamgraph-check-unnamed";

function specs(document: PolicyDocument): PrincipalSpec[] {
  return document.statements.flatMap((s) => [s.principal, s.notPrincipal].filter((p): p is PrincipalSpec => p !== undefined));
}

/** The principals that stand for every class of principal the documents can tell apart. */
export function principalWitnesses(documents: readonly PolicyDocument[]): PrincipalWitness[] {
  const out = new Map<string, PrincipalWitness>();
  const add = (key: string, caller: TrustCaller, label: string) => {
    if (!out.has(key)) out.set(key, { caller, label });
  };
  const accounts = new Set<string>();
  for (const spec of documents.flatMap(specs)) {
    if (spec === "*") continue;
    for (const [type, values] of Object.entries(spec)) {
      for (const value of values) {
        if (type === "Service") add(`service ${value}`, { kind: "service", service: value }, value);
        else if (type === "Federated") add(`federated ${value}`, { kind: "federated", provider: value }, value);
        else if (type === "AWS") {
          const account = ACCOUNT.exec(value);
          const entity = USER_OR_ROLE.exec(value);
          const session = SESSION.exec(value);
          if (account) accounts.add(account[1] ?? account[2]!);
          else if (entity?.[2] === "user") {
            accounts.add(entity[1]!);
            add(`user ${value}`, { kind: "user", accountId: entity[1]!, arn: value }, value);
          } else if (entity) {
            accounts.add(entity[1]!);
            const sessionArn = `arn:aws:sts::${entity[1]}:assumed-role/${entity[3]}/${UNNAMED}`;
            add(`role ${value}`, { kind: "session", accountId: entity[1]!, roleArn: value, sessionArn }, `a session of ${value}`);
          } else if (session) {
            accounts.add(session[1]!);
            const roleArn = `arn:aws:iam::${session[1]}:role/${session[2]}`;
            add(`session ${value}`, { kind: "session", accountId: session[1]!, roleArn, sessionArn: value }, value);
          }
        }
      }
    }
  }
  for (const a of accounts) {
    add(`root ${a}`, { kind: "root", accountId: a }, `arn:aws:iam::${a}:root`);
    add(`other ${a}`, { kind: "user", accountId: a, arn: `arn:aws:iam::${a}:user/${UNNAMED}` }, `any other principal of account ${a}`);
  }
  const unnamedAccount = ["000000000000", "999999999999", "111111111111"].find((a) => !accounts.has(a))!;
  add("other account", { kind: "user", accountId: unnamedAccount, arn: `arn:aws:iam::${unnamedAccount}:user/${UNNAMED}` }, "a principal of an account no policy names");
  add("other service", { kind: "service", service: `${UNNAMED}.amazonaws.com` }, "a service no policy names");
  add("other provider", { kind: "federated", provider: UNNAMED }, "a web identity from a provider no policy names");
  return [...out.values()];
}

/** Whether a statement applies to the caller by its Principal / NotPrincipal element. */
function appliesTo(statement: PolicyStatement, caller: TrustCaller): boolean {
  if (statement.principal !== undefined) return principalMatches(statement.principal, caller) !== undefined;
  if (statement.notPrincipal !== undefined) return principalMatches(statement.notPrincipal, caller) === undefined;
  return false;
}

/** The identity policy the caller gets from a resource policy, with each kept statement's index in it. */
export function identityPolicyFor(document: PolicyDocument, caller: TrustCaller): { document: PolicyDocument; indices: number[] } {
  const indices: number[] = [];
  const statements: PolicyStatement[] = [];
  document.statements.forEach((s, i) => {
    if (!appliesTo(s, caller)) return;
    const { principal: _p, notPrincipal: _n, ...rest } = s;
    indices.push(i);
    statements.push(rest.resource === undefined && rest.notResource === undefined ? { ...rest, resource: ["*"] } : rest);
  });
  return { document: { ...document, statements }, indices };
}

const namesCanonicalUser = (s: PolicyStatement) =>
  [s.principal, s.notPrincipal].some((p) => p !== undefined && p !== "*" && p["CanonicalUser"] !== undefined);

/** Every request the new resource policy allows some principal and the existing one does not. */
export function resourcePolicyNewAccess(fresh: PolicyDocument, existing: PolicyDocument, reference: ServiceReference): ResourcePolicyNewAccess[] {
  const found: ResourcePolicyNewAccess[] = [];
  fresh.statements.forEach((s, statementIndex) => {
    if (s.effect === "Allow" && namesCanonicalUser(s)) {
      found.push({ statementIndex, action: (s.action ?? s.notAction ?? ["*"])[0]!, alike: 0, resource: "*", context: [], undecided: true, principal: "a CanonicalUser principal" });
    }
  });
  const compared = new Set<string>();
  for (const witness of principalWitnesses([fresh, existing])) {
    const mine = identityPolicyFor(fresh, witness.caller);
    const theirs = identityPolicyFor(existing, witness.caller);
    if (!mine.document.statements.some((s) => s.effect === "Allow")) continue;
    const signature = `${mine.indices.join(",")}|${theirs.indices.join(",")}`;
    if (compared.has(signature)) continue;
    compared.add(signature);
    for (const f of newAccess(mine.document, theirs.document, reference)) {
      found.push({ ...f, statementIndex: mine.indices[f.statementIndex]!, principal: witness.label });
    }
  }
  return found;
}

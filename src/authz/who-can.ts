import type { PrismaClient } from "../generated/prisma/client.js";
import { candidates, compilePolicySet, type StatementIndex } from "../policy/compile.js";
import type { PolicyInEffect } from "../policy/document.js";
import type { MatchedStatement } from "../policy/evaluate.js";
import { parsePolicyDocument } from "../policy/parse.js";
import type { ContextEntry } from "../policy/request.js";
import { statementMatchesAction } from "../policy/statement.js";
import type { TrustMatch } from "../policy/trust-policy.js";
import type { Authorizer } from "./authorizer.js";
import { concreteActions } from "./action-pattern.js";
import { parseCached } from "./policies-in-effect.js";
import { loadPrincipals } from "./principal.js";
import { isAssumeRoleQuestion, trustAdmits, trustNamedArns } from "./who-can-assume.js";

export interface AllowedPrincipal {
  readonly principalArn: string;
  readonly principalType: "user" | "role";
  /** The concrete action it is allowed (the question's action, or one its wildcard stands for). */
  readonly action: string;
  /** The Allow statements that decided it, with provenance (none when a trust policy names the principal itself). */
  readonly matchedStatements: readonly MatchedStatement[];
  /** For sts:AssumeRole on a role: the role's trust-policy statements that admit it. */
  readonly trustStatements?: readonly TrustMatch[];
}

/**
 * "Who can do X on Y": instead of evaluating every principal, first find the policies that
 * could allow the action at all (an Allow statement whose Action matches, conditions and
 * resources aside — a superset), then evaluate only the principals holding one of them.
 * The per-policy index, who holds each policy, and the candidates per action are kept in memory
 * and rebuilt after any change that can move them.
 */
interface WhoCanIndex {
  /** Each identity policy in effect anywhere, compiled once. */
  readonly statements: Map<string, StatementIndex>;
  /** Who holds each policy (directly or through a group). */
  readonly holders: Map<string, { arn: string; type: "user" | "role" }[]>;
  /** Candidate principals per lower-cased action, filled on demand. */
  readonly byAction: Map<string, { arn: string; type: "user" | "role" }[]>;
}

const maxActionsRemembered = 2_000;

export class WhoCan {
  #index: Promise<WhoCanIndex> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly authorizer: Authorizer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Called with every committed batch. Anything but a tag change may change which policies are in
   * effect, who holds them, or a holder's ARN: rebuild on next use. (Tags only feed conditions,
   * which candidates ignore and evaluation reads fresh.)
   */
  invalidate(events: readonly { readonly type: string }[]): void {
    if (events.some((e) => !e.type.endsWith("Tagged") && !e.type.endsWith("Untagged"))) this.#index = undefined;
  }

  /** An action wildcard (`s3:Put*`) is answered per concrete action (action-pattern.ts), by action then principal. */
  async principalsAllowed(action: string, resource: string, context: readonly ContextEntry[] = []): Promise<AllowedPrincipal[]> {
    if (isAssumeRoleQuestion(action, resource)) return this.#mayAssume(resource, context);
    const pairs: { action: string; arn: string; type: "user" | "role" }[] = [];
    for (const a of await concreteActions(action)) for (const c of await this.candidatePrincipals(a)) pairs.push({ action: a, ...c });
    const results = await this.authorizer.authorizeMany(pairs.map((p) => ({ principalArn: p.arn, action: p.action, resource, context })));
    const allowed: AllowedPrincipal[] = [];
    results.forEach((r, i) => {
      const p = pairs[i]!;
      if (!(r instanceof Error) && r.decision === "allowed") allowed.push({ principalArn: p.arn, principalType: p.type, action: p.action, matchedStatements: r.matchedStatements });
    });
    return allowed;
  }

  /**
   * Who may assume the role now: the candidates of sts:AssumeRole plus those its trust policy names
   * itself, each admitted by the trust policy combined with its identity decision (who-can-assume.ts).
   */
  async #mayAssume(roleArn: string, context: readonly ContextEntry[]): Promise<AllowedPrincipal[]> {
    const role = await this.prisma.role.findFirst({ where: { arn: roleArn } });
    const trust = role ? parsePolicyDocument(role.assumeRolePolicyDocument, "trust") : undefined;
    if (!role || !trust?.ok) return [];
    const arns = [...new Set([...(await this.candidatePrincipals("sts:AssumeRole")).map((c) => c.arn), ...trustNamedArns(trust.document)])].sort();
    const [principals, results] = await Promise.all([
      loadPrincipals(this.prisma, arns),
      this.authorizer.authorizeMany(arns.map((arn) => ({ principalArn: arn, action: "sts:AssumeRole", resource: roleArn, context }))),
    ]);
    const now = this.now();
    const allowed: AllowedPrincipal[] = [];
    arns.forEach((arn, i) => {
      const principal = principals[i];
      const identity = results[i];
      if (!principal || identity === undefined || identity instanceof Error) return;
      const trustStatements = trustAdmits(trust.document, role.accountId, principal, identity.decision, context, now);
      if (!trustStatements) return;
      allowed.push({ principalArn: arn, principalType: principal.type, action: "sts:AssumeRole", matchedStatements: identity.decision === "allowed" ? identity.matchedStatements : [], trustStatements });
    });
    return allowed;
  }

  /** Principals holding at least one policy that could allow the action. */
  async candidatePrincipals(action: string): Promise<{ arn: string; type: "user" | "role" }[]> {
    const index = await (this.#index ??= this.#build());
    const lowerAction = action.toLowerCase();
    const known = index.byAction.get(lowerAction);
    if (known) return known;
    const found = new Map<string, "user" | "role">();
    for (const [key, statements] of index.statements) {
      if (!candidates(statements, lowerAction).some((s) => s.effect === "Allow" && statementMatchesAction(s, lowerAction))) continue;
      for (const holder of index.holders.get(key) ?? []) found.set(holder.arn, holder.type);
    }
    const list = [...found].map(([arn, type]) => ({ arn, type })).sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    if (index.byAction.size >= maxActionsRemembered) index.byAction.clear();
    index.byAction.set(lowerAction, list);
    return list;
  }

  async #build(): Promise<WhoCanIndex> {
    const holderRows = await this.prisma.$queryRawUnsafe<{ source_key: string; arn: string; type: "user" | "role" }[]>(
      `SELECT e.source_key, coalesce(u.arn, r.arn) AS arn, e.principal_type AS type
         FROM effective_policies e
         LEFT JOIN users u ON e.principal_type = 'user' AND u.id = e.principal_id
         LEFT JOIN roles r ON e.principal_type = 'role' AND r.id = e.principal_id
        WHERE e.kind <> 'boundary' AND coalesce(u.arn, r.arn) IS NOT NULL`,
    );
    const holders = new Map<string, { arn: string; type: "user" | "role" }[]>();
    for (const h of holderRows) {
      const list = holders.get(h.source_key);
      if (list) list.push({ arn: h.arn, type: h.type });
      else holders.set(h.source_key, [{ arn: h.arn, type: h.type }]);
    }
    const sources = await this.prisma.$queryRawUnsafe<{ source_key: string; policy_arn: string | null; document: string | null }[]>(
      `SELECT DISTINCT e.source_key, e.policy_arn, coalesce(v.document, i.document) AS document
         FROM effective_policies e
         LEFT JOIN policies p ON p.arn = e.policy_arn
         LEFT JOIN policy_versions v ON v.policy_id = p.id AND v.is_default
         LEFT JOIN inline_policies i ON e.kind = 'inline' AND i.entity_type = e.owner_type AND i.entity_id = e.owner_id AND i.policy_name = e.policy_name
        WHERE e.kind <> 'boundary'`,
    );
    const statements = new Map<string, StatementIndex>();
    for (const s of sources) {
      const document = s.document ? parseCached(s.document) : undefined;
      if (!document) continue;
      const policy: PolicyInEffect = {
        document,
        source: { kind: s.policy_arn ? "managed" : "inline", policyName: s.source_key, attachedTo: { type: "user", name: "", arn: "" }, role: "identity" },
      };
      statements.set(s.source_key, compilePolicySet([policy]).identity);
    }
    return { statements, holders, byAction: new Map() };
  }
}

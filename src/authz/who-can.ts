import type { PrismaClient } from "../generated/prisma/client.js";
import { candidates, compilePolicySet, type StatementIndex } from "../policy/compile.js";
import type { PolicyInEffect } from "../policy/document.js";
import type { MatchedStatement } from "../policy/evaluate.js";
import type { ContextEntry } from "../policy/request.js";
import { statementMatchesAction } from "../policy/statement.js";
import type { Authorizer } from "./authorizer.js";
import { parseCached } from "./policies-in-effect.js";

export interface AllowedPrincipal {
  readonly principalArn: string;
  readonly principalType: "user" | "role";
  /** The Allow statements that decided it, with provenance. */
  readonly matchedStatements: readonly MatchedStatement[];
}

/**
 * "Who can do X on Y": instead of evaluating every principal, first find the policies that
 * could allow the action at all (an Allow statement whose Action matches, conditions and
 * resources aside — a superset), then evaluate only the principals holding one of them.
 * The per-policy index is built once and rebuilt after any policy or attachment change.
 */
export class WhoCan {
  #index: Promise<Map<string, StatementIndex>> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly authorizer: Authorizer,
  ) {}

  /** Called with every committed batch; policy text or holdings changed → rebuild on next use. */
  invalidate(events: readonly { readonly type: string }[]): void {
    if (events.some((e) => /Policy|Group|Boundary|Deleted/.test(e.type))) this.#index = undefined;
  }

  async principalsAllowed(action: string, resource: string, context: readonly ContextEntry[] = []): Promise<AllowedPrincipal[]> {
    const candidateArns = await this.candidatePrincipals(action);
    const results = await this.authorizer.authorizeMany(candidateArns.map((c) => ({ principalArn: c.arn, action, resource, context })));
    const allowed: AllowedPrincipal[] = [];
    results.forEach((r, i) => {
      if (!(r instanceof Error) && r.decision === "allowed") {
        allowed.push({ principalArn: candidateArns[i]!.arn, principalType: candidateArns[i]!.type, matchedStatements: r.matchedStatements });
      }
    });
    return allowed;
  }

  /** Principals holding at least one policy that could allow the action. */
  async candidatePrincipals(action: string): Promise<{ arn: string; type: "user" | "role" }[]> {
    const index = await (this.#index ??= this.#build());
    const lowerAction = action.toLowerCase();
    const keys: string[] = [];
    for (const [key, statements] of index) {
      if (candidates(statements, lowerAction).some((s) => s.effect === "Allow" && statementMatchesAction(s, lowerAction))) keys.push(key);
    }
    if (keys.length === 0) return [];
    return this.prisma.$queryRawUnsafe<{ arn: string; type: "user" | "role" }[]>(
      `SELECT DISTINCT coalesce(u.arn, r.arn) AS arn, e.principal_type AS type
         FROM effective_policies e
         LEFT JOIN users u ON e.principal_type = 'user' AND u.id = e.principal_id
         LEFT JOIN roles r ON e.principal_type = 'role' AND r.id = e.principal_id
        WHERE e.kind <> 'boundary' AND e.source_key = ANY($1::text[]) AND coalesce(u.arn, r.arn) IS NOT NULL
        ORDER BY 1`,
      keys,
    );
  }

  async #build(): Promise<Map<string, StatementIndex>> {
    const sources = await this.prisma.$queryRawUnsafe<{ source_key: string; policy_arn: string | null; document: string | null }[]>(
      `SELECT DISTINCT e.source_key, e.policy_arn, coalesce(v.document, i.document) AS document
         FROM effective_policies e
         LEFT JOIN policies p ON p.arn = e.policy_arn
         LEFT JOIN policy_versions v ON v.policy_id = p.id AND v.is_default
         LEFT JOIN inline_policies i ON e.kind = 'inline' AND i.entity_type = e.owner_type AND i.entity_id = e.owner_id AND i.policy_name = e.policy_name
        WHERE e.kind <> 'boundary'`,
    );
    const index = new Map<string, StatementIndex>();
    for (const s of sources) {
      const document = s.document ? parseCached(s.document) : undefined;
      if (!document) continue;
      const policy: PolicyInEffect = {
        document,
        source: { kind: s.policy_arn ? "managed" : "inline", policyName: s.source_key, attachedTo: { type: "user", name: "", arn: "" }, role: "identity" },
      };
      index.set(s.source_key, compilePolicySet([policy]).identity);
    }
    return index;
  }
}

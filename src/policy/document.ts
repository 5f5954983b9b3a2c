// The parsed, normalised form of an IAM policy document. Parsing (parse.ts) turns the JSON a
// client sends into this shape; evaluation and analysis only ever see this shape.

export type PolicyVersion = "2012-10-17" | "2008-10-17";
export type Effect = "Allow" | "Deny";

/** One `Operator: { Key: value | [values] }` pair of a Condition block. */
export interface ConditionClause {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The condition key exactly as written, e.g. `aws:PrincipalTag/team`. */
  readonly key: string;
  /** Values normalised to strings (JSON numbers and booleans become their text). */
  readonly values: readonly string[];
}

/** Principal element of a trust or resource policy: `"*"` or `{ AWS: [...], Service: [...] }`. */
export type PrincipalSpec = "*" | Readonly<Record<string, readonly string[]>>;

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Exactly one of action / notAction is set. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Exactly one of resource / notResource is set in identity policies; trust policies may have neither. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  /** Only in trust (and resource) policies. */
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly conditions: readonly ConditionClause[];
}

export interface PolicyDocument {
  /** AWS treats a document without Version as 2008-10-17 (policy variables are then literal text). */
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

/** Where a policy in effect for a principal comes from — the provenance every decision reports. */
export interface PolicySource {
  readonly kind: "managed" | "inline";
  /** Managed policies: the policy ARN; inline: undefined. */
  readonly policyArn?: string;
  readonly policyName: string;
  /** Managed policies: the version in effect (the default), e.g. `v3`. */
  readonly versionId?: string;
  /** The entity the policy is attached to or embedded in. */
  readonly attachedTo: { readonly type: "user" | "group" | "role"; readonly name: string; readonly arn: string };
  /** Set when the policy reaches a user through one of its groups. */
  readonly viaGroup?: { readonly name: string; readonly arn: string };
  /** `identity` for permission policies, `boundary` for a permissions boundary. */
  readonly role: "identity" | "boundary";
}

export interface PolicyInEffect {
  readonly source: PolicySource;
  readonly document: PolicyDocument;
}

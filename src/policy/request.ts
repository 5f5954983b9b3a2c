// The request an authorization decision is made for. Mirrors AWS's ContextEntry
// (SimulatePrincipalPolicy) so simulation input maps onto it one to one.

export type ContextKeyType =
  | "string"
  | "stringList"
  | "numeric"
  | "numericList"
  | "boolean"
  | "booleanList"
  | "ip"
  | "ipList"
  | "binary"
  | "binaryList"
  | "date"
  | "dateList";

export interface ContextEntry {
  /** The key as the caller spelled it, e.g. `aws:PrincipalTag/team`. */
  readonly key: string;
  readonly type: ContextKeyType;
  readonly values: readonly string[];
}

export interface AuthorizationRequest {
  /** `service:Action`, e.g. `iam:CreateUser`; compared ignoring case. */
  readonly action: string;
  /** The resource ARN (or `*`); compared case-sensitively. */
  readonly resource: string;
  /** Context entries keyed by the lower-cased key name (condition key names ignore case). */
  readonly context: ReadonlyMap<string, ContextEntry>;
}

/** Build a request context. A key given twice (in any case) keeps the last entry. */
export function buildContext(entries: Iterable<ContextEntry>): ReadonlyMap<string, ContextEntry> {
  const context = new Map<string, ContextEntry>();
  for (const entry of entries) context.set(entry.key.toLowerCase(), entry);
  return context;
}

/** Look a condition key up in a context; key names ignore case (reference_policies_elements_condition). */
export function lookupContext(
  context: ReadonlyMap<string, ContextEntry>,
  lowerKey: string,
): ContextEntry | undefined {
  return context.get(lowerKey);
}

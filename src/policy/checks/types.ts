// The answers of Access Analyzer's custom policy checks (API_CheckNoNewAccess,
// API_CheckAccessNotGranted): PASS or FAIL, a message, and ReasonSummary objects naming the
// statement (index and Sid) that breaks the check — here also the action and resource.

export type CheckResult = "PASS" | "FAIL";

export interface CheckReason {
  readonly description: string;
  /** Position of the statement in the checked (new) policy's Statement list. */
  readonly statementIndex: number;
  /** The statement's Sid, when it has one (AWS's statementId). */
  readonly statementId?: string;
  /** A concrete action the statement grants (AWS's spelling when the reference knows it). */
  readonly action?: string;
  /** A resource it grants it on (the shortest one of its kind). */
  readonly resource?: string;
  /** Resource policies: the principal it grants them to (or the class of principals it stands for). */
  readonly principal?: string;
  /** Set when the check could not be decided exactly and FAIL is the conservative answer. */
  readonly undecided?: boolean;
}

export interface CheckResponse {
  readonly result: CheckResult;
  readonly message: string;
  readonly reasons: readonly CheckReason[];
}

/** Bad input is answered, never thrown: AWS's code and a message saying which input and why. */
export type CheckOutcome =
  | { readonly ok: true; readonly response: CheckResponse }
  | { readonly ok: false; readonly code: "MalformedPolicyDocument" | "ValidationError"; readonly message: string };

/** AWS's AccessCheckPolicyType: identity policies, or resource-based policies (with principals). */
export type AccessCheckPolicyType = "IDENTITY_POLICY" | "RESOURCE_POLICY";

// The shape of an Access Analyzer ValidatePolicy finding (API_ValidatePolicyFinding), with the
// location given as a JSON path into the document as written plus its text span.

export type FindingType = "ERROR" | "SECURITY_WARNING" | "WARNING" | "SUGGESTION";

/** AWS's Position: line starts at 1, column and offset at 0. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface Span {
  readonly start: Position;
  /** Exclusive: the position just after the element. */
  readonly end: Position;
}

export type PathElement = string | number;

export interface Location {
  readonly path: readonly PathElement[];
  readonly span?: Span;
}

export interface Finding {
  readonly findingType: FindingType;
  /** AWS's issue code (access-analyzer-reference-policy-checks) where AWS has one. */
  readonly issueCode: string;
  readonly message: string;
  readonly locations: readonly Location[];
}

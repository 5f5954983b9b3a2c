/**
 * An error as the API gave it: AWS's code and AWS's message (for AccessDenied:
 * "User: … is not authorized to perform: iam:ListUsers on resource: …"). Shown verbatim.
 */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export class ApiFailure extends Error {
  constructor(readonly errors: readonly ApiError[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join("\n"));
  }
}

interface GraphQLErrorJson {
  message?: unknown;
  extensions?: { code?: unknown };
}

export function apiErrorsOf(errors: readonly GraphQLErrorJson[] | undefined): ApiError[] {
  return (errors ?? []).map((e) => ({
    code: typeof e.extensions?.code === "string" ? e.extensions.code : "Error",
    message: typeof e.message === "string" ? e.message : "The request failed",
  }));
}

/** The action an AccessDenied message names ("…perform: iam:ListUsers on resource…"), if any. */
export function missingActionOf(error: ApiError): string | undefined {
  return error.code === "AccessDenied" ? /perform: (\S+)/.exec(error.message)?.[1] : undefined;
}

/** A mutation's union result: the payload, or an IamError thrown as an ApiFailure. */
export function payloadOf<T extends { __typename: string }>(result: T): Exclude<T, { __typename: "IamError" }> {
  if (result.__typename === "IamError") {
    const e = result as unknown as { code: string; message: string };
    throw new ApiFailure([{ code: e.code, message: e.message }]);
  }
  return result as Exclude<T, { __typename: "IamError" }>;
}

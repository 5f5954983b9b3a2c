import { DomainError, errorCodes } from "../../domain/shared/domain-error.js";
import { builder } from "../builder.js";

export const ErrorCodeEnum = builder.enumType("ErrorCode", {
  description: "AWS IAM error codes.",
  values: errorCodes,
});

/** A refusal with AWS's code and message; mutations return it instead of their payload. */
export const IamError = builder.objectType(DomainError, {
  name: "IamError",
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
    message: t.exposeString("message"),
  }),
});

/** For a mutation's `errors` option: refusals become its `IamError` result. */
export const iamErrors = { types: [DomainError] };

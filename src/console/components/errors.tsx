import { ApiFailure, missingActionOf, type ApiError } from "../graphql/errors.js";

/** The API's errors in its own (AWS's) words; AccessDenied also names the missing permission. */
export function ErrorList({ errors }: { errors: readonly ApiError[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="errors" role="alert">
      {errors.map((e, i) => {
        const action = missingActionOf(e);
        return (
          <div class={`error ${e.code === "AccessDenied" ? "access-denied" : ""}`} key={i}>
            <strong class="error-code">{e.code}</strong> <span class="error-message">{e.message}</span>
            {action && (
              <p class="hint">
                Missing permission: <code>{action}</code>. Ask an administrator for a policy that allows it.
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}

export function errorsOf(err: unknown): ApiError[] {
  if (err instanceof ApiFailure) return [...err.errors];
  return [{ code: "Error", message: err instanceof Error ? err.message : String(err) }];
}

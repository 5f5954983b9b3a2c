import { useState } from "preact/hooks";
import { ErrorList } from "../components/errors.js";
import type { ApiError } from "../graphql/errors.js";
import type { Credentials } from "../session.js";

/** Sign in with an access key; the form never submits anywhere (no URL ever holds the secret). */
export function SignIn(props: { errors: ApiError[]; busy: boolean; onSignIn(c: Credentials): void }) {
  const [accessKeyId, setId] = useState("");
  const [secretAccessKey, setSecret] = useState("");
  return (
    <main class="sign-in" id="main">
      <h1>iamgraph console</h1>
      <p>Sign in with an access key: the root key <code>npm start</code> printed, or an IAM user's key.</p>
      {/* method=post and the CSP's form-action 'none': even without script, no submit puts the secret in a URL. */}
      <form
        method="post"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSignIn({ accessKeyId: accessKeyId.trim(), secretAccessKey });
        }}
      >
        <label>
          Access key ID
          <input name="accessKeyId" autocomplete="username" required value={accessKeyId} onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autocomplete="current-password" required value={secretAccessKey} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={props.busy}>{props.busy ? "Signing in…" : "Sign in"}</button>
      </form>
      <ErrorList errors={props.errors} />
      <p class="hint">The key is kept in this tab's session storage only and is sent to this server alone, as HTTP Basic.</p>
    </main>
  );
}

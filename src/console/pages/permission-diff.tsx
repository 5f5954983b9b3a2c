import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql, type ResultOf } from "../graphql/tada.js";
import type { ApiError } from "../graphql/errors.js";
import { ErrorList, errorsOf } from "../components/errors.js";

const Diff = graphql(`
  query PermissionDiff($principalArn: String!, $from: Position!, $to: Position!, $actions: [String!]) {
    permissionDiff(principalArn: $principalArn, from: { position: $from }, to: { position: $to }, actions: $actions) {
      changes { change path beforeVersionId afterVersionId source { policyName } cause { position type occurredAt metadata { actor } } }
      decisions { action resource before after flipped }
    }
  }
`);

/** What entered or left a principal's effective set between two log positions, and why. */
export function PermissionDiffPanel() {
  const { client } = useSession();
  const [f, setF] = useState({ principalArn: "", from: "0", to: "", actions: "" });
  const [diff, setDiff] = useState<ResultOf<typeof Diff>["permissionDiff"]>();
  const [errors, setErrors] = useState<ApiError[]>([]);
  const input = (k: keyof typeof f, label: string) => <label>{label} <input value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} /></label>;
  return (
    <div class="panel">
      <h2>Permission diff</h2>
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        setErrors([]);
        void client.run(Diff, { principalArn: f.principalArn, from: Number(f.from), to: Number(f.to), actions: f.actions ? f.actions.split(",").map((a) => a.trim()) : [] }).then((d) => setDiff(d.permissionDiff), (err) => setErrors(errorsOf(err)));
      }}>
        {input("principalArn", "Principal ARN")}{input("from", "From position")}{input("to", "To position")}{input("actions", "Actions (optional)")}
        <button type="submit">Compare</button>
      </form>
      <ErrorList errors={errors} />
      {diff && (
        <>
          {diff.changes.length === 0 ? <p>Nothing changed.</p> : (
            <ul>{diff.changes.map((c, i) => <li key={i}><strong>{c.change}</strong> {c.path} {c.beforeVersionId || c.afterVersionId ? `(${c.beforeVersionId ?? "–"} → ${c.afterVersionId ?? "–"})` : ""} — by #{c.cause.position} {c.cause.type} ({c.cause.metadata.actor})</li>)}</ul>
          )}
          {diff.decisions.length > 0 && (
            <table><thead><tr><th>Action</th><th>Before</th><th>After</th></tr></thead><tbody>
              {diff.decisions.map((d, i) => <tr key={i} class={d.flipped ? "flipped" : ""}><td>{d.action}</td><td>{d.before}</td><td>{d.after}</td></tr>)}
            </tbody></table>
          )}
        </>
      )}
    </div>
  );
}

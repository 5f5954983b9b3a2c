import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql, type ResultOf } from "../graphql/tada.js";
import type { ApiError } from "../graphql/errors.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { MatchedFields, MatchedStatements } from "../components/matched-statements.js";

const WhoCan = graphql(`query WhoCan($action: String!, $resource: String!) { principalsAllowed(action: $action, resource: $resource) { principalArn principalType matchedStatements { ...MatchedFields } } }`, [MatchedFields]);

/** Who can: every user and role allowed the action on the resource, and the path that allows it. */
export function WhoCanPage() {
  const { client } = useSession();
  const [action, setAction] = useState("iam:CreateUser");
  const [resource, setResource] = useState("*");
  const [rows, setRows] = useState<ResultOf<typeof WhoCan>["principalsAllowed"]>();
  const [errors, setErrors] = useState<ApiError[]>([]);
  return (
    <section>
      <h1>Who can</h1>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setErrors([]); void client.run(WhoCan, { action, resource }).then((d) => setRows(d.principalsAllowed), (err) => setErrors(errorsOf(err))); }}>
        <label>Action <input name="action" value={action} required onInput={(e) => setAction(e.currentTarget.value)} /></label>
        <label>Resource <input name="resource" value={resource} required onInput={(e) => setResource(e.currentTarget.value)} /></label>
        <button type="submit">Ask</button>
      </form>
      <ErrorList errors={errors} />
      {rows && (rows.length === 0 ? <p>No user or role is allowed that (root always is).</p> : (
        <table><thead><tr><th>Principal</th><th>Allowed by</th></tr></thead><tbody>
          {rows.map((r) => <tr key={r.principalArn}><td>{r.principalType} {r.principalArn}</td><td><MatchedStatements statements={r.matchedStatements} /></td></tr>)}
        </tbody></table>
      ))}
    </section>
  );
}

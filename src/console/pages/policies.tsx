import { useState } from "preact/hooks";
import { graphql } from "../graphql/tada.js";
import { useQuery } from "../graphql/use-query.js";
import { ErrorList } from "../components/errors.js";
import { href } from "../router.js";

const Policies = graphql(`query Policies($scope: PolicyScope, $after: String) { policies(scope: $scope, first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node { arn policyName description attachmentCount isAwsManaged defaultVersionId } } } }`);

export function PoliciesPage() {
  const [scope, setScope] = useState<"Local" | "AWS">("Local");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const q = useQuery(Policies, { scope, after: cursors[cursors.length - 1] ?? null });
  return (
    <section>
      <h1>Policies</h1>
      <p><a class="button" href={href("editor")}>Create policy</a></p>
      <div role="group" aria-label="Scope" class="tabs">
        <button type="button" aria-pressed={scope === "Local"} onClick={() => { setScope("Local"); setCursors([undefined]); }}>Customer managed</button>
        <button type="button" aria-pressed={scope === "AWS"} onClick={() => { setScope("AWS"); setCursors([undefined]); }}>AWS managed</button>
      </div>
      <ErrorList errors={q.errors} />
      <table><thead><tr><th>Policy</th><th>Description</th><th>Attached</th><th>Default</th></tr></thead><tbody>
        {q.data?.policies.edges.map(({ node: p }) => <tr key={p.arn}><td><a href={href("policies", p.arn)}>{p.policyName}</a></td><td>{p.description}</td><td>{p.attachmentCount}</td><td>{p.defaultVersionId}</td></tr>)}
      </tbody></table>
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <button type="button" disabled={!q.data?.policies.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, q.data?.policies.pageInfo.endCursor ?? undefined])}>Next page</button>
      </div>
    </section>
  );
}

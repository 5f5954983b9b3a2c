import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql, type ResultOf } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { MatchedFields, MatchedStatements } from "../components/matched-statements.js";

const Principals = graphql(`query SimulatorPrincipals { users(first: 100) { edges { node { arn userName } } } roles(first: 100) { edges { node { arn roleName } } } }`);
const Simulate = graphql(
  `query Simulate($arn: String!, $actions: [String!]!, $resources: [String!], $context: [ContextEntryInput!]) {
    simulatePrincipalPolicy(policySourceArn: $arn, actionNames: $actions, resourceArns: $resources, contextEntries: $context) {
      __typename
      ... on IamError { code message }
      ... on SimulatePolicyResponse {
        evaluationResults {
          evalActionName evalResourceName evalDecision reason missingContextValues
          matchedStatements { ...MatchedFields }
          permissionsBoundaryDecisionDetail { allowedByPermissionsBoundary }
        }
      }
    }
  }`,
  [MatchedFields],
);
type Results = Extract<ResultOf<typeof Simulate>["simulatePrincipalPolicy"], { __typename: "SimulatePolicyResponse" }>["evaluationResults"];
interface ContextRow { key: string; type: string; values: string }
const split = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

/** SimulatePrincipalPolicy with its explanation: each decision and the statements behind it. */
export function SimulatorPage({ params }: { params: URLSearchParams }) {
  const { client } = useSession();
  const principals = useQuery(Principals, {});
  const [arn, setArn] = useState(params.get("principal") ?? "");
  const [actions, setActions] = useState(params.get("actions") ?? "iam:CreateUser");
  const [resources, setResources] = useState("*");
  const [context, setContext] = useState<ContextRow[]>([]);
  const [results, setResults] = useState<Results>();
  const [errors, setErrors] = useState<ApiError[]>([]);

  async function simulate() {
    setErrors([]);
    try {
      const d = await client.run(Simulate, {
        arn: arn.trim(),
        actions: split(actions),
        resources: split(resources),
        context: context.filter((c) => c.key).map((c) => ({ contextKeyName: c.key, contextKeyType: c.type as "string", contextKeyValues: split(c.values) })),
      });
      setResults(payloadOf(d.simulatePrincipalPolicy).evaluationResults);
    } catch (err) {
      setResults(undefined);
      setErrors(errorsOf(err));
    }
  }

  const options = [...(principals.data?.users.edges.map((e) => e.node.arn) ?? []), ...(principals.data?.roles.edges.map((e) => e.node.arn) ?? [])];
  return (
    <section>
      <h1>Policy simulator</h1>
      <form class="stacked" onSubmit={(e) => { e.preventDefault(); void simulate(); }}>
        <label>Principal (user or role ARN) <input name="principal" list="principal-arns" required value={arn} onInput={(e) => setArn(e.currentTarget.value)} /></label>
        <datalist id="principal-arns">{options.map((o) => <option key={o} value={o} />)}</datalist>
        <label>Actions (one per line or comma separated) <textarea name="actions" rows={3} value={actions} onInput={(e) => setActions(e.currentTarget.value)} /></label>
        <label>Resources <textarea name="resources" rows={2} value={resources} onInput={(e) => setResources(e.currentTarget.value)} /></label>
        <fieldset>
          <legend>Context keys</legend>
          {context.map((c, i) => (
            <div class="condition" key={i}>
              <input aria-label={`Context key ${i + 1}`} placeholder="aws:SourceIp" value={c.key} onInput={(e) => setContext(context.map((x, j) => (j === i ? { ...x, key: e.currentTarget.value } : x)))} />
              <select aria-label={`Context key ${i + 1} type`} value={c.type} onChange={(e) => setContext(context.map((x, j) => (j === i ? { ...x, type: e.currentTarget.value } : x)))}>
                {["string", "stringList", "numeric", "boolean", "date", "ip", "binary"].map((t) => <option key={t}>{t}</option>)}
              </select>
              <input aria-label={`Context key ${i + 1} values`} placeholder="values" value={c.values} onInput={(e) => setContext(context.map((x, j) => (j === i ? { ...x, values: e.currentTarget.value } : x)))} />
            </div>
          ))}
          <button type="button" class="link" onClick={() => setContext([...context, { key: "", type: "string", values: "" }])}>Add context key</button>
        </fieldset>
        <button type="submit">Simulate</button>
      </form>
      <ErrorList errors={errors} />
      {results && (
        <table class="results">
          <thead><tr><th>Action</th><th>Resource</th><th>Decision</th><th>Why</th></tr></thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={i}>
                <td>{r.evalActionName}</td>
                <td>{r.evalResourceName}</td>
                <td class={`decision ${r.evalDecision}`}>{r.evalDecision}</td>
                <td>
                  <div class="reason">{r.reason}</div>
                  <MatchedStatements statements={r.matchedStatements} />
                  {r.missingContextValues.length > 0 && <div class="hint">Missing context values: {r.missingContextValues.join(", ")}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { useQuery } from "../graphql/use-query.js";
import { DetachRolePolicy } from "../graphql/mutations.js";
import { ErrorList } from "../components/errors.js";
import { ConfirmChange } from "../components/confirm-change.js";
import { href } from "../router.js";

const Roles = graphql(`query Roles { roles(first: 100) { edges { node { roleName arn description } } } }`);
const RoleQuery = graphql(`query RoleDetail($roleName: String!) { role(roleName: $roleName) { roleName arn roleId description maxSessionDuration assumeRolePolicyDocument attachedPolicies { policyName policyArn } inlinePolicies { policyName policyDocument } permissionsBoundary { permissionsBoundaryArn } tags { key value } } }`);

export function RolesPage() {
  const q = useQuery(Roles, {});
  return (
    <section>
      <h1>Roles</h1>
      <ErrorList errors={q.errors} />
      <table><thead><tr><th>Role</th><th>Description</th></tr></thead><tbody>
        {q.data?.roles.edges.map(({ node: r }) => <tr key={r.arn}><td><a href={href("roles", r.roleName)}>{r.roleName}</a></td><td>{r.description}</td></tr>)}
      </tbody></table>
      {q.data?.roles.edges.length === 0 && <p>No roles yet.</p>}
    </section>
  );
}

export function RoleDetail({ roleName }: { roleName: string }) {
  const { client } = useSession();
  const q = useQuery(RoleQuery, { roleName });
  const r = q.data?.role;
  return (
    <section>
      <h1>Role {roleName}</h1>
      <ErrorList errors={q.errors} />
      {q.data && !r && <p>No role has that name.</p>}
      {r && (
        <>
          <dl class="facts"><dt>ARN</dt><dd>{r.arn}</dd><dt>Description</dt><dd>{r.description}</dd><dt>Max session</dt><dd>{r.maxSessionDuration} s</dd><dt>Boundary</dt><dd>{r.permissionsBoundary?.permissionsBoundaryArn ?? "none"}</dd></dl>
          <h2>Trust policy</h2>
          <pre>{r.assumeRolePolicyDocument}</pre>
          <h2>Attached policies</h2>
          <ul>{r.attachedPolicies.map((p) => <li key={p.policyArn}><a href={href("policies", p.policyArn)}>{p.policyName}</a>{" "}
            <ConfirmChange label="Detach" title={`Detach ${p.policyName} from ${roleName}?`} run={async (dryRun) => (await client.run(DetachRolePolicy, { roleName, policyArn: p.policyArn, dryRun })).detachRolePolicy} onDone={q.reload} /></li>)}</ul>
          <h2>Inline policies</h2>
          {r.inlinePolicies.length === 0 ? <p>None.</p> : r.inlinePolicies.map((p) => <details key={p.policyName}><summary>{p.policyName}</summary><pre>{p.policyDocument}</pre></details>)}
          <h2>Tags</h2>
          <table class="tags"><tbody>{r.tags.map((t) => <tr key={t.key}><th scope="row">{t.key}</th><td>{t.value}</td></tr>)}</tbody></table>
        </>
      )}
    </section>
  );
}

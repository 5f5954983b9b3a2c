import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { AttachRolePolicy, DetachRolePolicy, UpdateAssumeRolePolicy } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { ConfirmChange } from "../components/confirm-change.js";
import { InlinePolicies } from "../components/inline-policies.js";
import { PermissionsBoundary } from "../components/permissions-boundary.js";
import { DocumentField } from "../editor/document-field.js";
import { CreateRoleForm } from "./create-role.js";
import { href } from "../router.js";

const Roles = graphql(`query Roles { roles(first: 100) { edges { node { roleName arn description } } } }`);
const RoleQuery = graphql(`query RoleDetail($roleName: String!) { role(roleName: $roleName) { roleName arn roleId path description maxSessionDuration assumeRolePolicyDocument attachedPolicies { policyName policyArn } inlinePolicies { policyName policyDocument } permissionsBoundary { permissionsBoundaryArn } tags { key value } } }`);

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
      <h2>Create role</h2>
      <CreateRoleForm />
    </section>
  );
}

export function RoleDetail({ roleName }: { roleName: string }) {
  const { client } = useSession();
  const q = useQuery(RoleQuery, { roleName });
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [policyArn, setPolicyArn] = useState("");
  const [trust, setTrust] = useState<string>();
  const [trustBlocking, setTrustBlocking] = useState(false);
  const [saved, setSaved] = useState<string>();
  const act = async (f: () => Promise<unknown>) => {
    setErrors([]);
    setSaved(undefined);
    try { await f(); q.reload(); } catch (err) { setErrors(errorsOf(err)); }
  };
  const r = q.data?.role;
  return (
    <section>
      <h1>Role {roleName}</h1>
      <ErrorList errors={[...errors, ...q.errors]} />
      {q.data && !r && <p>No role has that name.</p>}
      {r && (
        <>
          <dl class="facts"><dt>ARN</dt><dd>{r.arn}</dd><dt>Path</dt><dd>{r.path}</dd><dt>Description</dt><dd class="description">{r.description}</dd><dt>Max session</dt><dd>{r.maxSessionDuration} s</dd><dt>Boundary</dt><dd>{r.permissionsBoundary?.permissionsBoundaryArn ?? "none"}</dd></dl>
          <h2>Trust policy</h2>
          {trust === undefined ? (
            <>
              <pre class="trust-policy">{r.assumeRolePolicyDocument}</pre>
              <button type="button" onClick={() => setTrust(r.assumeRolePolicyDocument)}>Edit trust policy</button>
            </>
          ) : (
            // A trust policy says who may assume the role, not what anyone may do: there is no
            // decision of the role's to flip, so it saves without a blast-radius dialog.
            <form class="inline-form-editor" onSubmit={(e) => { e.preventDefault(); void act(async () => { payloadOf((await client.run(UpdateAssumeRolePolicy, { roleName, policyDocument: trust })).updateAssumeRolePolicy); setTrust(undefined); setSaved("Trust policy saved."); }); }}>
              <DocumentField client={client} value={trust} onChange={setTrust} onBlocking={setTrustBlocking} label="Trust policy (JSON)" policyType="TRUST_POLICY" />
              <div class="actions">
                <button type="submit" disabled={trustBlocking}>Save trust policy</button>{" "}
                <button type="button" class="secondary" onClick={() => setTrust(undefined)}>Cancel</button>
              </div>
            </form>
          )}
          {saved && <p role="status">{saved}</p>}
          <h2>Attached policies</h2>
          <ul>{r.attachedPolicies.map((p) => <li key={p.policyArn}><a href={href("policies", p.policyArn)}>{p.policyName}</a>{" "}
            <ConfirmChange label={`Detach ${p.policyName}`} title={`Detach ${p.policyName} from ${roleName}?`} run={async (dryRun) => (await client.run(DetachRolePolicy, { roleName, policyArn: p.policyArn, dryRun })).detachRolePolicy} onDone={q.reload} /></li>)}</ul>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => { payloadOf((await client.run(AttachRolePolicy, { roleName, policyArn })).attachRolePolicy); setPolicyArn(""); }); }}>
            <label>Policy ARN <input name="attachPolicyArn" value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} required /></label><button type="submit">Attach policy</button>
          </form>
          <h2>Inline policies</h2>
          <InlinePolicies holder="role" name={roleName} policies={r.inlinePolicies} onChanged={q.reload} />
          <h2>Permissions boundary</h2>
          <PermissionsBoundary holder="role" name={roleName} current={r.permissionsBoundary?.permissionsBoundaryArn} onChanged={q.reload} />
          <h2>Tags</h2>
          <table class="tags"><tbody>{r.tags.map((t) => <tr key={t.key}><th scope="row">{t.key}</th><td>{t.value}</td></tr>)}</tbody></table>
          <p><a href={href("simulator", { principal: r.arn })}>Simulate this role's permissions</a> · <a href={href("history", { arn: r.arn })}>History</a></p>
        </>
      )}
    </section>
  );
}

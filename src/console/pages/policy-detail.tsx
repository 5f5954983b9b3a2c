import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { useQuery } from "../graphql/use-query.js";
import { DeletePolicy, SetDefaultPolicyVersion } from "../graphql/mutations.js";
import { ErrorList } from "../components/errors.js";
import { ConfirmChange } from "../components/confirm-change.js";
import { lineDiff, pretty } from "../editor/line-diff.js";
import { href, navigate } from "../router.js";

const PolicyQuery = graphql(`
  query PolicyDetail($arn: String!) {
    policy(arn: $arn) { arn policyName policyId description isAwsManaged attachmentCount permissionsBoundaryUsageCount defaultVersionId tags { key value } versions { versionId isDefaultVersion createDate document } }
    entitiesForPolicy(arn: $arn) { __typename ... on IamError { code message } ... on EntitiesForPolicy { policyUsers { userName } policyGroups { groupName } policyRoles { roleName } } }
  }
`);

export function PolicyDetail({ arn }: { arn: string }) {
  const { client } = useSession();
  const q = useQuery(PolicyQuery, { arn });
  const [from, setFrom] = useState<string>();
  const [to, setTo] = useState<string>();
  const p = q.data?.policy;
  const where = q.data?.entitiesForPolicy;
  const versions = p?.versions ?? [];
  const a = versions.find((v) => v.versionId === (from ?? versions[1]?.versionId));
  const b = versions.find((v) => v.versionId === (to ?? versions[0]?.versionId));
  return (
    <section>
      <h1>Policy {p?.policyName ?? ""}</h1>
      <ErrorList errors={q.errors} />
      {q.data && !p && <p>No managed policy has that ARN.</p>}
      {p && (
        <>
          <dl class="facts"><dt>ARN</dt><dd>{p.arn}</dd><dt>Description</dt><dd>{p.description}</dd><dt>Attachments</dt><dd>{p.attachmentCount} (+{p.permissionsBoundaryUsageCount} as boundary)</dd></dl>
          {!p.isAwsManaged && <p><a class="button" href={href("editor", { arn: p.arn })}>Edit (new version)</a></p>}
          <h2>Where it is attached</h2>
          {where?.__typename === "EntitiesForPolicy" ? (
            <ul>
              {where.policyUsers.map((u) => <li key={`u${u.userName}`}>user <a href={href("users", u.userName)}>{u.userName}</a></li>)}
              {where.policyGroups.map((g) => <li key={`g${g.groupName}`}>group <a href={href("groups", g.groupName)}>{g.groupName}</a></li>)}
              {where.policyRoles.map((r) => <li key={`r${r.roleName}`}>role <a href={href("roles", r.roleName)}>{r.roleName}</a></li>)}
            </ul>
          ) : where ? <ErrorList errors={[where]} /> : null}
          <h2>Versions</h2>
          <table><thead><tr><th>Version</th><th>Created</th><th>Default</th><th /></tr></thead><tbody>
            {versions.map((v) => (
              <tr key={v.versionId}><td>{v.versionId}</td><td>{new Date(v.createDate).toLocaleString()}</td><td>{v.isDefaultVersion ? "default" : ""}</td><td>
                {!v.isDefaultVersion && !p.isAwsManaged && <ConfirmChange label={`Make ${v.versionId} default`} title={`Make ${v.versionId} the default version of ${p.policyName}?`} run={async (dryRun) => (await client.run(SetDefaultPolicyVersion, { policyArn: arn, versionId: v.versionId, dryRun })).setDefaultPolicyVersion} onDone={q.reload} />}
              </td></tr>
            ))}
          </tbody></table>
          {versions.length > 1 && (
            <>
              <h2>Diff</h2>
              <label>From <select value={a?.versionId} onChange={(e) => setFrom(e.currentTarget.value)}>{versions.map((v) => <option key={v.versionId}>{v.versionId}</option>)}</select></label>{" "}
              <label>To <select value={b?.versionId} onChange={(e) => setTo(e.currentTarget.value)}>{versions.map((v) => <option key={v.versionId}>{v.versionId}</option>)}</select></label>
              {a && b && <pre class="diff">{lineDiff(pretty(a.document), pretty(b.document)).map((l, i) => <div key={i} class={`diff-${l.kind}`}>{l.kind === "added" ? "+ " : l.kind === "removed" ? "- " : "  "}{l.text}</div>)}</pre>}
            </>
          )}
          <h2>Default version document</h2>
          <pre>{pretty(versions.find((v) => v.isDefaultVersion)?.document ?? "")}</pre>
          {!p.isAwsManaged && <ConfirmChange label="Delete policy" title={`Delete ${p.policyName}?`} run={async (dryRun) => (await client.run(DeletePolicy, { policyArn: arn, dryRun })).deletePolicy} onDone={() => navigate(href("policies"))} />}
        </>
      )}
    </section>
  );
}

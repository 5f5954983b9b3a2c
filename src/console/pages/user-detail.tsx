import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { AddUserToGroup, AttachUserPolicy, CreateAccessKey, DeleteAccessKey, DeleteUser, DetachUserPolicy, RemoveUserFromGroup, TagUser, UpdateAccessKey } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { ConfirmChange } from "../components/confirm-change.js";
import { NewKey } from "../components/copy-button.js";
import { EventList } from "../components/event-list.js";
import { InlinePolicies } from "../components/inline-policies.js";
import { PermissionsBoundary } from "../components/permissions-boundary.js";
import { href, navigate } from "../router.js";

const UserQuery = graphql(`
  query UserDetail($userName: String!) {
    user(userName: $userName) {
      userName arn userId path createDate
      groups { groupName }
      attachedPolicies { policyName policyArn }
      inlinePolicies { policyName policyDocument }
      permissionsBoundary { permissionsBoundaryArn }
      tags { key value }
      accessKeys { accessKeyId status createDate canAuthenticate }
      effectivePolicies { kind policyName policyArn versionId since viaGroup { groupName } }
      history(first: 100) { edges { node { position type streamId occurredAt payload metadata { actor } } } }
    }
  }
`);

export function UserDetail({ userName }: { userName: string }) {
  const { client } = useSession();
  const q = useQuery(UserQuery, { userName });
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [newKey, setNewKey] = useState<{ accessKeyId: string; secretAccessKey: string; userName: string }>();
  const [group, setGroup] = useState("");
  const [policyArn, setPolicyArn] = useState("");
  const [tag, setTag] = useState({ key: "", value: "" });
  const act = async (f: () => Promise<unknown>) => {
    setErrors([]);
    try { await f(); q.reload(); } catch (err) { setErrors(errorsOf(err)); }
  };
  const u = q.data?.user;
  if (q.data && !u) return <section><h1>{userName}</h1><p>No user has that name.</p></section>;
  return (
    <section>
      <h1>User {userName}</h1>
      <ErrorList errors={[...errors, ...q.errors]} />
      {u && (
        <>
          <dl class="facts"><dt>ARN</dt><dd>{u.arn}</dd><dt>User id</dt><dd>{u.userId}</dd><dt>Created</dt><dd>{new Date(u.createDate).toLocaleString()}</dd>
            <dt>Permissions boundary</dt><dd>{u.permissionsBoundary?.permissionsBoundaryArn ?? "none"}</dd></dl>
          <h2>Groups</h2>
          <ul>{u.groups.map((g) => <li key={g.groupName}><a href={href("groups", g.groupName)}>{g.groupName}</a>{" "}
            <ConfirmChange label={`Remove from ${g.groupName}`} title={`Remove ${userName} from ${g.groupName}?`} run={async (dryRun) => (await client.run(RemoveUserFromGroup, { userName, groupName: g.groupName, dryRun })).removeUserFromGroup} onDone={q.reload} /></li>)}</ul>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => payloadOf((await client.run(AddUserToGroup, { userName, groupName: group })).addUserToGroup)); }}>
            <label>Group <input value={group} onInput={(e) => setGroup(e.currentTarget.value)} required /></label><button type="submit">Add to group</button>
          </form>
          <h2>Attached policies</h2>
          <ul>{u.attachedPolicies.map((p) => <li key={p.policyArn}><a href={href("policies", p.policyArn)}>{p.policyName}</a>{" "}
            <ConfirmChange label="Detach" title={`Detach ${p.policyName} from ${userName}?`} run={async (dryRun) => (await client.run(DetachUserPolicy, { userName, policyArn: p.policyArn, dryRun })).detachUserPolicy} onDone={q.reload} /></li>)}</ul>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => payloadOf((await client.run(AttachUserPolicy, { userName, policyArn })).attachUserPolicy)); }}>
            <label>Policy ARN <input value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} required /></label><button type="submit">Attach policy</button>
          </form>
          <h2>Inline policies</h2>
          <InlinePolicies holder="user" name={userName} policies={u.inlinePolicies} onChanged={q.reload} />
          <h2>Permissions boundary</h2>
          <PermissionsBoundary holder="user" name={userName} current={u.permissionsBoundary?.permissionsBoundaryArn} onChanged={q.reload} />
          <h2>Tags</h2>
          <table class="tags"><tbody>{u.tags.map((t) => <tr key={t.key}><th scope="row">{t.key}</th><td class="tag-value">{t.value}</td></tr>)}</tbody></table>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => payloadOf((await client.run(TagUser, { userName, tags: [tag] })).tagUser)); }}>
            <label>Key <input value={tag.key} onInput={(e) => setTag({ ...tag, key: e.currentTarget.value })} required /></label>
            <label>Value <input value={tag.value} onInput={(e) => setTag({ ...tag, value: e.currentTarget.value })} /></label><button type="submit">Add tag</button>
          </form>
          <h2>Access keys</h2>
          {newKey && <NewKey accessKey={newKey} />}
          <table><thead><tr><th>Access key id</th><th>Status</th><th>Created</th><th>Actions</th></tr></thead><tbody>
            {u.accessKeys.map((k) => (
              <tr key={k.accessKeyId}><td><code>{k.accessKeyId}</code></td><td>{k.status}</td><td>{new Date(k.createDate).toLocaleString()}</td><td>
                <button type="button" onClick={() => void act(async () => payloadOf((await client.run(UpdateAccessKey, { userName, accessKeyId: k.accessKeyId, status: k.status === "Active" ? "Inactive" : "Active" })).updateAccessKey))}>{k.status === "Active" ? "Deactivate" : "Activate"}</button>{" "}
                <ConfirmChange label={`Delete ${k.accessKeyId}`} title={`Delete access key ${k.accessKeyId}?`} run={async (dryRun) => (await client.run(DeleteAccessKey, { userName, accessKeyId: k.accessKeyId, dryRun })).deleteAccessKey} onDone={q.reload} />
              </td></tr>
            ))}
          </tbody></table>
          <button type="button" onClick={() => void act(async () => setNewKey(payloadOf((await client.run(CreateAccessKey, { userName })).createAccessKey).accessKey))}>Create access key</button>
          <h2>Effective policies</h2>
          <table><thead><tr><th>Policy</th><th>Kind</th><th>Through</th><th>Since</th></tr></thead><tbody>
            {u.effectivePolicies.map((p, i) => <tr key={i}><td>{p.policyName}{p.versionId ? `@${p.versionId}` : ""}</td><td>{p.kind}</td><td>{p.viaGroup ? `group ${p.viaGroup.groupName}` : "the user"}</td><td>{new Date(p.since).toLocaleString()}</td></tr>)}
          </tbody></table>
          <p><a href={href("simulator", { principal: u.arn })}>Simulate this user's permissions</a> · <a href={href("history", { arn: u.arn })}>Full history</a></p>
          <h2>History</h2>
          <EventList events={u.history.edges.map((e) => e.node).reverse()} />
          <h2>Delete</h2>
          <ConfirmChange label={`Delete user ${userName}`} title={`Delete user ${userName}?`} run={async (dryRun) => (await client.run(DeleteUser, { userName, dryRun })).deleteUser} onDone={() => navigate(href("users"))} />
        </>
      )}
    </section>
  );
}

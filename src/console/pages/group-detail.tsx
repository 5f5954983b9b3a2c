import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { AddUserToGroup, AttachGroupPolicy, DeleteGroup, DetachGroupPolicy, RemoveUserFromGroup, UpdateGroup } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { ConfirmChange } from "../components/confirm-change.js";
import { InlinePolicies } from "../components/inline-policies.js";
import { href, navigate } from "../router.js";

const GroupQuery = graphql(`query GroupDetail($groupName: String!) { group(groupName: $groupName) { groupName arn groupId createDate users { userName } attachedPolicies { policyName policyArn } inlinePolicies { policyName policyDocument } } }`);

export function GroupDetail({ groupName }: { groupName: string }) {
  const { client } = useSession();
  const q = useQuery(GroupQuery, { groupName });
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [member, setMember] = useState("");
  const [policyArn, setPolicyArn] = useState("");
  const [rename, setRename] = useState("");
  const act = async (f: () => Promise<unknown>) => {
    setErrors([]);
    try { await f(); q.reload(); } catch (err) { setErrors(errorsOf(err)); }
  };
  const g = q.data?.group;
  if (q.data && !g) return <section><h1>{groupName}</h1><p>No group has that name.</p></section>;
  return (
    <section>
      <h1>Group {groupName}</h1>
      <ErrorList errors={[...errors, ...q.errors]} />
      {g && (
        <>
          <dl class="facts"><dt>ARN</dt><dd>{g.arn}</dd><dt>Group id</dt><dd>{g.groupId}</dd></dl>
          <h2>Members</h2>
          <ul>{g.users.map((u) => <li key={u.userName}><a href={href("users", u.userName)}>{u.userName}</a>{" "}
            <ConfirmChange label={`Remove ${u.userName}`} title={`Remove ${u.userName} from ${groupName}?`} run={async (dryRun) => (await client.run(RemoveUserFromGroup, { userName: u.userName, groupName, dryRun })).removeUserFromGroup} onDone={q.reload} /></li>)}</ul>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => payloadOf((await client.run(AddUserToGroup, { userName: member, groupName })).addUserToGroup)); }}>
            <label>User name <input name="member" value={member} onInput={(e) => setMember(e.currentTarget.value)} required /></label><button type="submit">Add member</button>
          </form>
          <h2>Attached policies</h2>
          <ul>{g.attachedPolicies.map((p) => <li key={p.policyArn}><a href={href("policies", p.policyArn)}>{p.policyName}</a>{" "}
            <ConfirmChange label="Detach" title={`Detach ${p.policyName} from ${groupName}?`} run={async (dryRun) => (await client.run(DetachGroupPolicy, { groupName, policyArn: p.policyArn, dryRun })).detachGroupPolicy} onDone={q.reload} /></li>)}</ul>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => payloadOf((await client.run(AttachGroupPolicy, { groupName, policyArn })).attachGroupPolicy)); }}>
            <label>Policy ARN <input value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} required /></label><button type="submit">Attach policy</button>
          </form>
          <h2>Inline policies</h2>
          <InlinePolicies holder="group" name={groupName} policies={g.inlinePolicies} onChanged={q.reload} />
          <h2>Rename</h2>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act(async () => { payloadOf((await client.run(UpdateGroup, { groupName, newGroupName: rename })).updateGroup); navigate(href("groups", rename)); }); }}>
            <label>New name <input value={rename} onInput={(e) => setRename(e.currentTarget.value)} required /></label><button type="submit">Rename group</button>
          </form>
          <h2>Delete</h2>
          <ConfirmChange label={`Delete group ${groupName}`} title={`Delete group ${groupName}?`} run={async (dryRun) => (await client.run(DeleteGroup, { groupName, dryRun })).deleteGroup} onDone={() => navigate(href("groups"))} />
        </>
      )}
    </section>
  );
}

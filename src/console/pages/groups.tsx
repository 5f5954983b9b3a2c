import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { CreateGroup } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { href, navigate } from "../router.js";

const Groups = graphql(`query Groups { groups(first: 100) { edges { node { groupName arn users { userName } attachedPolicies { policyName } } } } }`);

export function GroupsPage() {
  const { client } = useSession();
  const q = useQuery(Groups, {});
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<ApiError[]>([]);
  return (
    <section>
      <h1>Groups</h1>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void client.run(CreateGroup, { groupName: name }).then((d) => { payloadOf(d.createGroup); navigate(href("groups", name)); }).catch((err) => setErrors(errorsOf(err))); }}>
        <label>New group name <input name="newGroupName" required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <button type="submit">Create group</button>
      </form>
      <ErrorList errors={[...errors, ...q.errors]} />
      <table>
        <thead><tr><th>Group</th><th>Members</th><th>Policies</th></tr></thead>
        <tbody>
          {q.data?.groups.edges.map(({ node: g }) => (
            <tr key={g.arn}><td><a href={href("groups", g.groupName)}>{g.groupName}</a></td><td>{g.users.length}</td><td>{g.attachedPolicies.map((p) => p.policyName).join(", ")}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

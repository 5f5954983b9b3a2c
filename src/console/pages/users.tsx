import { useEffect, useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { useQuery } from "../graphql/use-query.js";
import { CreateUser } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { href, navigate } from "../router.js";

const Users = graphql(`query Users($after: String, $nameContains: String) { users(first: 25, after: $after, nameContains: $nameContains) { pageInfo { hasNextPage endCursor } edges { node { userName arn createDate } } } }`);
// The same page's groups and tags, asked apart: they need iam:ListGroupsForUser and
// iam:ListUserTags, and a principal allowed only iam:ListUsers still gets its list.
const UserColumns = graphql(`query UserColumns($after: String, $nameContains: String) { users(first: 25, after: $after, nameContains: $nameContains) { edges { node { arn groups { groupName } tags { key value } } } } }`);

/**
 * ListUsers, 25 a page, searched by the server (`users(nameContains:)`, iamgraph's extension):
 * each page holds only matches, and paging walks through every match, not through one page.
 */
export function UsersPage() {
  const { client } = useSession();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [search, setSearch] = useState("");
  const [term, setTerm] = useState("");
  const [newName, setNewName] = useState("");
  const [errors, setErrors] = useState<ApiError[]>([]);
  // A new term starts from the first page; typing settles for a moment before the server is asked.
  useEffect(() => {
    const timer = setTimeout(() => {
      setTerm(search.trim());
      setCursors([undefined]);
    }, 250);
    return () => clearTimeout(timer);
  }, [search]);
  const q = useQuery(Users, { after: cursors[cursors.length - 1] ?? null, nameContains: term || null });
  const columns = useQuery(UserColumns, { after: cursors[cursors.length - 1] ?? null, nameContains: term || null });
  const extra = new Map((columns.data?.users.edges ?? []).map((e) => [e.node.arn, e.node]));
  const rows = (q.data?.users.edges ?? []).map((e) => ({ ...e.node, groups: extra.get(e.node.arn)?.groups, tags: extra.get(e.node.arn)?.tags }));
  const columnsDenied = columns.errors.find((e) => e.code === "AccessDenied");
  async function create() {
    try {
      payloadOf((await client.run(CreateUser, { userName: newName })).createUser);
      navigate(href("users", newName));
    } catch (err) {
      setErrors(errorsOf(err));
    }
  }
  return (
    <section>
      <h1>Users</h1>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <label>New user name <input name="newUserName" required value={newName} onInput={(e) => setNewName(e.currentTarget.value)} /></label>
        <button type="submit">Create user</button>
      </form>
      <ErrorList errors={[...errors, ...q.errors]} />
      <label class="search">Search <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="part of a user name" /></label>
      {term && q.data && <p class="hint" role="status">{rows.length === 0 ? `No user name contains “${term}”.` : `User names containing “${term}”, page ${cursors.length}.`}</p>}
      {columnsDenied && <p class="hint">Groups and tags are not shown: {columnsDenied.message}</p>}
      <table>
        <thead><tr><th>User name</th><th>Groups</th><th>Tags</th><th>Created</th></tr></thead>
        <tbody>
          {rows.map((u) => (
            <tr key={u.arn}>
              <td><a href={href("users", u.userName)}>{u.userName}</a></td>
              <td>{u.groups ? u.groups.map((g) => g.groupName).join(", ") : "—"}</td>
              <td>{u.tags ? u.tags.map((t) => `${t.key}=${t.value}`).join(", ") : "—"}</td>
              <td>{new Date(u.createDate).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <button type="button" disabled={!q.data?.users.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, q.data?.users.pageInfo.endCursor ?? undefined])}>Next page</button>
      </div>
    </section>
  );
}

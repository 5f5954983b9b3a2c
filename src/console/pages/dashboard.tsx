import { useMemo } from "preact/hooks";
import { graphql } from "../graphql/tada.js";
import { useQuery } from "../graphql/use-query.js";
import { useSession, isRoot } from "../graphql/context.js";
import { ErrorList } from "../components/errors.js";
import { EventList } from "../components/event-list.js";
import { href } from "../router.js";

const Summary = graphql(`
  query Dashboard {
    accountSummary { users usersQuota groups groupsQuota roles rolesQuota policies policiesQuota policyVersionsInUse policyVersionsInUseQuota accessKeysPerUserQuota groupsPerUserQuota attachedPoliciesPerUserQuota versionsPerPolicyQuota }
  }
`);
const Head = graphql(`query LogHead($now: DateTime!) { asOf(at: { timestamp: $now }) { position } }`);
const Recent = graphql(`query RecentEvents($after: String) { events(first: 10, after: $after) { edges { node { position type streamId occurredAt payload metadata { actor } } } } }`);

export function Dashboard() {
  const { caller, revision } = useSession();
  const summary = useQuery(Summary, {});
  // The log pages forward only: find its head (the position as of now), then read the last ten.
  // A new "now" with every live event, so the list follows the log.
  const now = useMemo(() => new Date().toISOString(), [revision]);
  const head = useQuery(Head, { now });
  const position = head.data?.asOf.position;
  const recent = useQuery(Recent, { after: String(Math.max(0, (position ?? 0) - 10)) }, { skip: position === undefined });
  const s = summary.data?.accountSummary;
  return (
    <section>
      <h1>IAM dashboard</h1>
      <p>Account <code>{caller.account}</code> · signed in as <code>{caller.arn}</code></p>
      {s && isRoot(caller.arn) && s.users === 0 && (
        <div class="callout">
          <h2>Get started</h2>
          <p>This account has no IAM users yet. AWS recommends not using the root key for everyday work.</p>
          <a class="button" href={href("walkthrough")}>Create your first user and group</a>
        </div>
      )}
      <ErrorList errors={summary.errors} />
      {s && (
        <>
          <h2>Resources and quotas</h2>
          <table class="summary">
            <thead><tr><th>Resource</th><th>In use</th><th>Quota</th></tr></thead>
            <tbody>
              <tr><td><a href={href("users")}>Users</a></td><td>{s.users}</td><td>{s.usersQuota}</td></tr>
              <tr><td><a href={href("groups")}>Groups</a></td><td>{s.groups}</td><td>{s.groupsQuota}</td></tr>
              <tr><td><a href={href("roles")}>Roles</a></td><td>{s.roles}</td><td>{s.rolesQuota}</td></tr>
              <tr><td><a href={href("policies")}>Customer managed policies</a></td><td>{s.policies}</td><td>{s.policiesQuota}</td></tr>
              <tr><td>Policy versions in use</td><td>{s.policyVersionsInUse}</td><td>{s.policyVersionsInUseQuota}</td></tr>
            </tbody>
          </table>
          <p class="hint">Per entity: {s.accessKeysPerUserQuota} access keys per user, {s.groupsPerUserQuota} groups per user, {s.attachedPoliciesPerUserQuota} managed policies per user, {s.versionsPerPolicyQuota} versions per policy.</p>
        </>
      )}
      <h2>Recent changes</h2>
      <ErrorList errors={[...head.errors, ...recent.errors]} />
      {recent.data && <EventList events={recent.data.events.edges.map((e) => e.node).reverse()} />}
    </section>
  );
}

import type { JSX } from "preact";
import { useSession } from "../graphql/context.js";
import { pollSeconds, type LiveState } from "../live.js";
import { href, useRoute } from "../router.js";
import { Dashboard } from "../pages/dashboard.js";
import { Walkthrough } from "../pages/walkthrough.js";
import { UsersPage } from "../pages/users.js";
import { UserDetail } from "../pages/user-detail.js";
import { GroupsPage } from "../pages/groups.js";
import { GroupDetail } from "../pages/group-detail.js";
import { RolesPage, RoleDetail } from "../pages/roles.js";
import { PoliciesPage } from "../pages/policies.js";
import { PolicyDetail } from "../pages/policy-detail.js";
import { EditorPage } from "../pages/editor.js";
import { SimulatorPage } from "../pages/simulator.js";
import { WhoCanPage } from "../pages/who-can.js";
import { HistoryPage } from "../pages/history.js";

const sections: [string, string][] = [
  ["dashboard", "Dashboard"],
  ["users", "Users"],
  ["groups", "Groups"],
  ["roles", "Roles"],
  ["policies", "Policies"],
  ["editor", "Policy editor"],
  ["simulator", "Simulator"],
  ["who-can", "Who can"],
  ["history", "History"],
];

const liveLabel: Record<LiveState, string> = { live: "● live", connecting: "○ connecting", polling: `↻ every ${pollSeconds} s`, unavailable: "○ not live" };
const liveTitle: Record<LiveState, string> = {
  live: "Pages follow every change as it is made (events subscription).",
  connecting: "Connecting the live updates…",
  polling: `This key may not subscribe to events (iamgraph:ListEvents): the console checks for changes every ${pollSeconds} seconds instead.`,
  unavailable: "Live updates are not connected: reload the page to see changes made since.",
};

function page(segments: readonly string[], params: URLSearchParams): JSX.Element {
  const [section = "dashboard", name] = segments;
  switch (section) {
    case "walkthrough": return <Walkthrough />;
    case "users": return name ? <UserDetail userName={name} /> : <UsersPage />;
    case "groups": return name ? <GroupDetail groupName={name} /> : <GroupsPage />;
    case "roles": return name ? <RoleDetail roleName={name} /> : <RolesPage />;
    case "policies": return name ? <PolicyDetail arn={name} /> : <PoliciesPage />;
    case "editor": return <EditorPage params={params} />;
    case "simulator": return <SimulatorPage params={params} />;
    case "who-can": return <WhoCanPage />;
    case "history": return <HistoryPage params={params} />;
    default: return <Dashboard />;
  }
}

export function Layout({ liveState }: { liveState: LiveState }) {
  const { caller, signOut } = useSession();
  const { segments, params } = useRoute();
  const current = segments[0] ?? "dashboard";
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">iamgraph</span>
        <span class="who" title={caller.arn}>{caller.arn}</span>
        <span class={`live live-${liveState}`} aria-live="polite" title={liveTitle[liveState]}>{liveLabel[liveState]}</span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </header>
      <nav aria-label="Sections">
        <ul>
          {sections.map(([id, label]) => (
            <li key={id}><a href={href(id)} aria-current={current === id ? "page" : undefined}>{label}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>{page(segments, params)}</main>
    </div>
  );
}
